"""Variables in action parameters: {{contact.first_name}}, {{deal.value}} and friends."""

from automations.context import RuleContext
from automations.events import payload_for


def test_variables_are_filled_from_the_records(deal, pat, stage):
    deal.stage = stage("Proposal")
    deal.save()
    payload = payload_for(record=deal, data={"from_stage": stage("Qualification")})
    context = RuleContext(
        workspace_id=deal.workspace_id, event_type="deal.stage_changed", payload=payload
    )
    rendered = context.render(
        "Hi {{ contact.first_name }}, {{deal.name}} is worth {{deal.value}} "
        "({{ event.from_stage.name }} → {{deal.stage}}) at {{prospect.name}}."
    )
    assert rendered == (
        "Hi Pat, Stripe expansion is worth 12000 (Qualification → Proposal) at Stripe."
    )


def test_unknown_or_empty_variables_become_blank(pat):
    payload = payload_for(record=pat)
    context = RuleContext(
        workspace_id=pat.workspace_id, event_type="contact.created", payload=payload
    )
    assert context.render("[{{contact.phone}}][{{deal.name}}][{{nope.x}}]") == "[][][]"
    assert context.render("No variables, {braces} stay.") == "No variables, {braces} stay."
