"""Reports a sales manager looks at: sequence funnels, activity by rep, replies over time, the
pipeline, engagement and campaigns, as a chart, the table behind it, a CSV and the API.

Why an app of its own, at the top beside the media pipeline: a report reads what several apps
record (outreach's log, activities, deals, replies and meetings; engagement levels; campaigns
and their videos), and the layer contract lets an app import only the layers under it. Every
report only reads, so no lower app needs to know it exists: a port for each app to register
its report would add indirection without removing a single import. From up here one module,
`reports.selectors`, reads them all through the ORM, in grouped SQL aggregates.
"""
