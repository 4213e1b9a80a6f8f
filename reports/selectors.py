"""Each report's reads: grouped SQL aggregates over indexed columns, a fixed handful of queries
per report whatever the range or the data, never rows loaded to be counted in Python."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from campaigns.models import Campaign, CampaignProspect
from config.errors import ValidationFailed
from engagement.models import EngagementLevel, EngagementOverrideHistory, MemberEngagement
from outreach.models import (
    Activity,
    CallOutcome,
    Deal,
    DealStageChange,
    Meeting,
    Membership,
    OutreachLog,
    OutreachSequence,
    OutreachStep,
    Pipeline,
    Reply,
    ReplyTriage,
    SequenceTemplate,
    Stage,
    Workspace,
)
from reports.models import EngagementLevelDay
from reports.period import Period
from reports.registry import Chart, Column, Filters, Report, ReportData, Series, Table, register

FILTER_LABELS = {
    "rep": "Rep",
    "sequence": "Sequence",
    "pipeline": "Pipeline",
    "campaign": "Campaign",
}
INTENTS = list(Reply.Intent)


# The choices each filter offers, which are also the ids a URL may name.


def filter_choices(
    *, workspace: Workspace, names: tuple[str, ...]
) -> dict[str, list[tuple[int, str]]]:
    """One query per filter the report has."""
    choices: dict[str, list[tuple[int, str]]] = {}
    for name in names:
        if name == "rep":
            members = Membership.objects.filter(workspace=workspace).select_related("user")
            choices[name] = sorted(
                ((m.user_id, _person(m.user)) for m in members), key=lambda item: item[1].lower()
            )
        elif name == "sequence":
            sequences = SequenceTemplate.objects.filter(workspace=workspace)
            choices[name] = list(sequences.order_by("name", "pk").values_list("pk", "name"))
        elif name == "pipeline":
            pipelines = Pipeline.objects.filter(workspace=workspace)
            choices[name] = list(pipelines.order_by("name", "pk").values_list("pk", "name"))
        elif name == "campaign":
            campaigns = Campaign.objects.filter(workspace=workspace)
            choices[name] = list(campaigns.order_by("-created_at", "-pk").values_list("pk", "name"))
    return choices


def filters_from_params(params: Any, *, choices: dict[str, list[tuple[int, str]]]) -> Filters:
    """The filters a URL names, each checked against the workspace's own choices (a stranger's
    id is refused exactly like one that does not exist)."""
    values: dict[str, int] = {}
    for name, options in choices.items():
        text = (params.get(name) or "").strip()
        if not text:
            continue
        if not text.isdigit() or int(text) not in {pk for pk, _ in options}:
            raise ValidationFailed.for_field(name, f"No such {FILTER_LABELS[name].lower()}.")
        values[name] = int(text)
    return Filters(**values)


def _person(user: User | None) -> str:
    if user is None:
        return "Nobody"
    return user.get_full_name() or user.get_username()


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start_at, f"{field}__lt": period.end_at})


def _label(day: date, by: str) -> str:
    return f"{day:%b} {day.day}" if by == "day" else f"Wk {day:%b} {day.day}"


def _rate(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _bucketed(period: Period, counts: dict[tuple[date, str], float], keys: list[str]) -> Chart:
    buckets = period.buckets()
    return Chart(
        kind="stacked",
        categories=[_label(day, period.by) for day in buckets],
        series=[
            Series(name=key, values=[counts.get((day, key), 0) for day in buckets]) for key in keys
        ],
    )


# Sequence funnel ------------------------------------------------------------------------------


def sequence_funnel(*, workspace: Workspace, period: Period, filters: Filters) -> ReportData:
    templates = SequenceTemplate.objects.filter(workspace=workspace)
    if filters.sequence:
        templates = templates.filter(pk=filters.sequence)
    names = dict(templates.order_by("name", "pk").values_list("pk", "name"))

    def for_sequence(field: str) -> Q:
        return Q(**{field: filters.sequence}) if filters.sequence else Q()

    enrolled = dict(
        OutreachSequence.objects.filter(_in(period, "created_at"), for_sequence("template_id"))
        .filter(workspace=workspace)
        .values_list("template_id")
        .annotate(n=Count("pk"))
    )
    steps: dict[tuple[int, int], dict[str, Any]] = {}

    def step(template_id: int, order: int) -> dict[str, Any]:
        return steps.setdefault(
            (template_id, order),
            {"sent": 0, "opened": 0, "clicked": 0, "bounced": 0, "opted_out": 0, "replied": 0}
            | {intent.value: 0 for intent in INTENTS},
        )

    # A step's sent time is its log's, copied onto the step so that the range is read from the
    # step's own index; its log is always in the sequence's workspace.
    sent = (
        OutreachStep.objects.filter(
            _in(period, "sent_at"),
            for_sequence("sequence__template_id"),
            sequence__workspace=workspace,
            status=OutreachStep.Status.DONE,
            outreach_log__isnull=False,
        )
        .values("sequence__template_id", "step_order", "channel")
        .annotate(n=Count("pk"))
    )
    channels: dict[tuple[int, int], str] = {}
    for sent_row in sent:
        step_key = (sent_row["sequence__template_id"], sent_row["step_order"])
        step(*step_key)["sent"] += sent_row["n"]
        channels[step_key] = sent_row["channel"]

    # Opens and clicks carry the step they were on, with its sequence and place, copied as they
    # are recorded; one of each counts per email.
    signal_kinds = [Activity.Kind.EMAIL_OPEN, Activity.Kind.EMAIL_CLICK]
    opened = (
        Activity.objects.filter(
            _in(period, "occurred_at"),
            for_sequence("step_template_id"),
            workspace=workspace,
            kind__in=signal_kinds,
            step__isnull=False,
            step_template__isnull=False,
        )
        .values(template_id=F("step_template_id"), order=F("step_order"))
        .annotate(
            opened=Count("step", distinct=True, filter=Q(kind=Activity.Kind.EMAIL_OPEN)),
            clicked=Count("step", distinct=True, filter=Q(kind=Activity.Kind.EMAIL_CLICK)),
        )
        .order_by()
    )
    for open_row in opened:
        figures = step(open_row["template_id"], open_row["order"])
        figures["opened"] += open_row["opened"]
        figures["clicked"] += open_row["clicked"]

    # Replies and bounces name the email they answer; the step is the one that sent it.
    step_of_reply = OutreachStep.objects.filter(outreach_log_id=OuterRef("answers_id"))
    replies = (
        Reply.objects.filter(_in(period, "received_at"), workspace=workspace, answers__isnull=False)
        .annotate(
            template_id=Subquery(step_of_reply.values("sequence__template_id")[:1]),
            order=Subquery(step_of_reply.values("step_order")[:1]),
        )
        .filter(for_sequence("template_id"), template_id__isnull=False)
        .values("template_id", "order", "kind", "intent")
        .annotate(n=Count("pk"))
    )
    for reply_row in replies:
        figures = step(reply_row["template_id"], reply_row["order"])
        if reply_row["kind"] in (Reply.Kind.BOUNCE_HARD, Reply.Kind.BOUNCE_SOFT):
            figures["bounced"] += reply_row["n"]
        elif reply_row["kind"] == Reply.Kind.HUMAN:
            figures["replied"] += reply_row["n"]
            if reply_row["intent"] in figures:
                figures[reply_row["intent"]] += reply_row["n"]
            if reply_row["intent"] == Reply.Intent.UNSUBSCRIBE:
                figures["opted_out"] += reply_row["n"]

    # A meeting counts for the sequence the contact was last enrolled in before booking it.
    last_enrollment = OutreachSequence.objects.filter(
        contact_id=OuterRef("contact_id"), created_at__lte=OuterRef("created_at")
    ).order_by("-created_at", "-pk")
    meetings = dict(
        Meeting.objects.filter(
            _in(period, "created_at"), workspace=workspace, contact__isnull=False
        )
        .annotate(template_id=Subquery(last_enrollment.values("template_id")[:1]))
        .filter(for_sequence("template_id"), template_id__isnull=False)
        .values_list("template_id")
        .annotate(n=Count("pk"))
    )

    steps_columns = [
        Column("sequence", "Sequence", "text"),
        Column("step", "Step", "text"),
        Column("enrolled", "Enrolled"),
        Column("sent", "Sent"),
        Column("opened", "Opened"),
        Column("clicked", "Clicked"),
        Column("replied", "Replied"),
        *(Column(intent.value, intent.label) for intent in INTENTS),
        Column("bounced", "Bounced"),
        Column("opted_out", "Opted out"),
        Column("meetings", "Meetings"),
        Column("reply_rate", "Reply rate", "percent"),
    ]
    rows: list[dict[str, Any]] = []
    categories: list[str] = []
    chart_values: dict[str, list[float]] = {"Sent": [], "Opened": [], "Clicked": [], "Replied": []}
    for template_id, name in names.items():
        orders = sorted(order for (t, order) in steps if t == template_id)
        total: dict[str, Any] = defaultdict(int)
        step_rows = []
        for order in orders:
            figures = steps[(template_id, order)]
            for figure, value in figures.items():
                total[figure] += value
            channel = (
                OutreachLog.Channel(channels[(template_id, order)]).label
                if (template_id, order) in channels
                else ""
            )
            step_rows.append(
                {"sequence": name, "step": f"Step {order}" + (f" · {channel}" if channel else "")}
                | figures
                | {
                    "enrolled": None,
                    "meetings": None,
                    "reply_rate": _rate(figures["replied"], figures["sent"]),
                }
            )
        total_row = {"sequence": name, "step": "All steps"} | dict(total)
        total_row |= {
            "enrolled": enrolled.get(template_id, 0),
            "meetings": meetings.get(template_id, 0),
            "reply_rate": _rate(total["replied"], total["sent"]),
        }
        for figure in ("sent", "opened", "clicked", "replied", "bounced", "opted_out"):
            total_row.setdefault(figure, 0)
        for intent in INTENTS:
            total_row.setdefault(intent.value, 0)
        rows.append(total_row)
        rows.extend(step_rows)
        chart_rows = step_rows if filters.sequence else [total_row]
        for chart_row in chart_rows:
            categories.append(chart_row["step"] if filters.sequence else name)
            for series, figure in (
                ("Sent", "sent"),
                ("Opened", "opened"),
                ("Clicked", "clicked"),
                ("Replied", "replied"),
            ):
                chart_values[series].append(chart_row[figure])

    templates_table = _reply_rate_by_template(workspace=workspace, period=period)
    all_sent = sum(row["sent"] for row in rows if row["step"] == "All steps")
    all_replied = sum(row["replied"] for row in rows if row["step"] == "All steps")
    return ReportData(
        summary=[
            ("Enrolled", str(sum(enrolled.values()))),
            ("Sent", str(all_sent)),
            ("Replied", str(all_replied)),
            ("Reply rate", _percent(_rate(all_replied, all_sent))),
            ("Meetings", str(sum(meetings.values()))),
        ],
        chart=Chart(
            kind="grouped",
            categories=categories,
            series=[Series(name=k, values=v) for k, v in chart_values.items()],
        ),
        tables=[Table("Per sequence and step", steps_columns, rows), templates_table],
        notes=[
            "Opened and clicked count each email once. A meeting counts for the sequence the "
            "contact was last enrolled in before booking it."
        ],
    )


def _reply_rate_by_template(*, workspace: Workspace, period: Period) -> Table:
    replied = Reply.objects.filter(answers_id=OuterRef("pk"), kind=Reply.Kind.HUMAN)
    rows = (
        OutreachLog.objects.filter(
            _in(period, "created_at"), workspace=workspace, email_template__isnull=False
        )
        .values("email_template_id", "email_template__name")
        .annotate(sent=Count("pk"), replied=Count("pk", filter=Q(Exists(replied))))
        .order_by("email_template__name", "email_template_id")
    )
    return Table(
        "Reply rate per email template",
        [
            Column("template", "Template", "text"),
            Column("sent", "Sent"),
            Column("replied", "Replied"),
            Column("reply_rate", "Reply rate", "percent"),
        ],
        [
            {
                "template": row["email_template__name"],
                "sent": row["sent"],
                "replied": row["replied"],
                "reply_rate": _rate(row["replied"], row["sent"]),
            }
            for row in rows
        ],
    )


# Activity by rep ------------------------------------------------------------------------------

OUTCOMES = list(CallOutcome)


def activity_by_rep(*, workspace: Workspace, period: Period, filters: Filters) -> ReportData:
    reps = dict(filter_choices(workspace=workspace, names=("rep",))["rep"])
    per_rep: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_bucket: dict[tuple[date, str], float] = defaultdict(int)
    logs = OutreachLog.objects.filter(workspace=workspace)
    rep_of_touch = Coalesce("completed_by_id", "created_by_id")

    emails = (
        logs.filter(
            _in(period, "created_at"),
            channel=OutreachLog.Channel.EMAIL,
            status__in=[OutreachLog.Status.SENT, OutreachLog.Status.DONE],
        )
        .annotate(rep=rep_of_touch, bucket=period.bucket_of("created_at"))
        .filter(Q(rep=filters.rep) if filters.rep else Q())
        .values("rep", "bucket")
        # Rows, not ids: the emails' index holds every other column this reads.
        .annotate(n=Count("*"))
    )
    for row in emails:
        per_rep[row["rep"]]["emails"] += row["n"]
        per_bucket[(period.bucket_day(row["bucket"]), "Emails")] += row["n"]

    # A call is done when its task is completed, or when it was logged as made: the calls'
    # index is ordered by that time.
    calls = (
        logs.alias(done_at=Coalesce("completed_at", "created_at"))
        .filter(
            _in(period, "done_at"),
            channel=OutreachLog.Channel.CALL,
            status=OutreachLog.Status.DONE,
        )
        .annotate(
            rep=rep_of_touch,
            bucket=period.bucket_of("done_at"),
            outcome=KT("metadata__callOutcome"),
        )
        .filter(Q(rep=filters.rep) if filters.rep else Q())
        .values("rep", "bucket", "outcome")
        .annotate(n=Count("*"))
    )
    for call_row in calls:
        per_rep[call_row["rep"]]["calls"] += call_row["n"]
        per_rep[call_row["rep"]][f"call_{call_row['outcome'] or 'none'}"] += call_row["n"]
        per_bucket[(period.bucket_day(call_row["bucket"]), "Calls")] += call_row["n"]

    tasks = (
        logs.filter(
            _in(period, "completed_at"),
            metadata__kind=OutreachLog.TOUCH_TASK,
            status=OutreachLog.Status.DONE,
        )
        .filter(Q(completed_by_id=filters.rep) if filters.rep else Q())
        .annotate(bucket=period.bucket_of("completed_at"))
        .values("completed_by_id", "bucket")
        .annotate(n=Count("*"))
    )
    for task_row in tasks:
        per_rep[task_row["completed_by_id"]]["tasks_done"] += task_row["n"]
        per_bucket[(period.bucket_day(task_row["bucket"]), "Tasks completed")] += task_row["n"]

    # Overdue is a state, not an event: the open tasks past due right now.
    overdue = (
        logs.filter(status=OutreachLog.Status.TOUCH_OPEN, due_at__lt=timezone.now())
        .filter(Q(assignee_id=filters.rep) if filters.rep else Q())
        .values_list("assignee_id")
        # Count rows, not ids: the index on open tasks' due times answers alone.
        .annotate(n=Count("*"))
    )
    for rep, n in overdue:
        per_rep[rep]["tasks_overdue"] += n

    meetings = (
        Meeting.objects.filter(_in(period, "created_at"), workspace=workspace)
        .filter(Q(host_id=filters.rep) if filters.rep else Q())
        .annotate(bucket=period.bucket_of("created_at"))
        .values("host_id", "bucket")
        .annotate(n=Count("pk"))
    )
    for meeting_row in meetings:
        per_rep[meeting_row["host_id"]]["meetings"] += meeting_row["n"]
        per_bucket[(period.bucket_day(meeting_row["bucket"]), "Meetings booked")] += meeting_row[
            "n"
        ]

    columns = [
        Column("rep", "Rep", "text"),
        Column("emails", "Emails"),
        Column("calls", "Calls"),
        *(Column(f"call_{outcome.value}", outcome.label) for outcome in OUTCOMES),
        Column("tasks_done", "Tasks completed"),
        Column("tasks_overdue", "Tasks overdue now"),
        Column("meetings", "Meetings booked"),
    ]
    keys = [column.key for column in columns[1:]]
    order = sorted(per_rep, key=lambda rep: (rep is None, reps.get(rep, "").lower() if rep else ""))
    rows: list[dict[str, Any]] = [
        {"rep": reps.get(rep, "Former member") if rep else "Nobody (automatic)"}
        | {key: per_rep[rep].get(key, 0) for key in keys}
        for rep in order
    ]
    series = ["Emails", "Calls", "Tasks completed", "Meetings booked"]
    chart = _bucketed(period, per_bucket, series)
    over_time = Table(
        f"Per {period.by}",
        [Column("bucket", "Day" if period.by == "day" else "Week of", "text")]
        + [Column(name.lower().replace(" ", "_"), name) for name in series],
        [
            {"bucket": day.isoformat()}
            | {name.lower().replace(" ", "_"): per_bucket.get((day, name), 0) for name in series}
            for day in period.buckets()
        ],
    )
    totals: dict[str, int] = {key: sum(row[key] for row in rows) for key in keys}
    return ReportData(
        summary=[
            ("Emails", str(totals["emails"])),
            ("Calls", str(totals["calls"])),
            ("Tasks completed", str(totals["tasks_done"])),
            ("Overdue now", str(totals["tasks_overdue"])),
            ("Meetings booked", str(totals["meetings"])),
        ],
        chart=chart,
        tables=[over_time, Table("Per rep", columns, rows)],
        notes=["Emails sent by a sequence count for its sender; a call for who made it."],
    )


# Replies over time ----------------------------------------------------------------------------


def replies_over_time(*, workspace: Workspace, period: Period, filters: Filters) -> ReportData:
    machine = ReplyTriage.objects.filter(reply_id=OuterRef("pk")).exclude(source="rep")
    by_rep = ReplyTriage.objects.filter(reply_id=OuterRef("pk"), source="rep")
    first_machine_intent = machine.order_by("created_at", "pk").values("intent")[:1]
    rows = (
        Reply.objects.filter(_in(period, "received_at"), workspace=workspace, kind=Reply.Kind.HUMAN)
        .annotate(
            bucket=period.bucket_of("received_at"),
            machine_intent=Subquery(first_machine_intent),
            reviewed=Exists(by_rep),
        )
        .values("bucket", "intent")
        .annotate(
            n=Count("pk"),
            automatic=Count("pk", filter=Q(machine_intent__isnull=False)),
            corrected=Count(
                "pk",
                filter=Q(machine_intent__isnull=False, reviewed=True)
                & ~Q(intent=F("machine_intent")),
            ),
        )
    )
    counts: dict[tuple[date, str], float] = defaultdict(int)
    automatic: dict[date, int] = defaultdict(int)
    corrected: dict[date, int] = defaultdict(int)
    for count_row in rows:
        label = Reply.Intent(count_row["intent"]).label if count_row["intent"] else "Not triaged"
        day = period.bucket_day(count_row["bucket"])
        counts[(day, label)] += count_row["n"]
        automatic[day] += count_row["automatic"]
        corrected[day] += count_row["corrected"]
    labels = [intent.label for intent in INTENTS] + ["Not triaged"]
    table_rows = []
    for day in period.buckets():
        day_row: dict[str, Any] = {"bucket": day.isoformat()}
        day_row |= {label: counts.get((day, label), 0) for label in labels}
        day_row["total"] = sum(counts.get((day, label), 0) for label in labels)
        day_row["automatic"] = automatic[day]
        day_row["corrected"] = corrected[day]
        day_row["precision"] = _rate(automatic[day] - corrected[day], automatic[day])
        table_rows.append(day_row)
    total = sum(row["total"] for row in table_rows)
    all_automatic, all_corrected = sum(automatic.values()), sum(corrected.values())
    precision = _rate(all_automatic - all_corrected, all_automatic)
    return ReportData(
        summary=[
            ("Replies", str(total)),
            ("Triaged automatically", str(all_automatic)),
            ("Corrected by a rep", str(all_corrected)),
            ("Triage precision", _percent(precision)),
        ],
        chart=_bucketed(
            period,
            counts,
            [label for label in labels if any(counts.get((d, label)) for d in period.buckets())]
            or labels[:1],
        ),
        tables=[
            Table(
                f"Per {period.by}",
                [Column("bucket", "Day" if period.by == "day" else "Week of", "text")]
                + [Column(label, label) for label in labels]
                + [
                    Column("total", "Total"),
                    Column("automatic", "Triaged automatically"),
                    Column("corrected", "Corrected by a rep"),
                    Column("precision", "Precision", "percent"),
                ],
                table_rows,
            )
        ],
        notes=[
            "Precision: of the replies the classifier triaged, the share whose intent no rep "
            "changed. Replies are people's answers; bounces and automatic replies are left out."
        ],
    )


# Pipeline -------------------------------------------------------------------------------------


def pipeline(*, workspace: Workspace, period: Period, filters: Filters) -> ReportData:
    chosen = Pipeline.objects.filter(workspace=workspace).order_by("name", "pk")
    if filters.pipeline:
        chosen = chosen.filter(pk=filters.pipeline)
    stages = list(
        Stage.objects.filter(pipeline__in=chosen[:1])
        .order_by("position", "pk")
        .values_list("pk", "name", "position", "pipeline__name")
    )
    pipeline_name = stages[0][3] if stages else ""
    ids = [pk for pk, *_ in stages]
    open_deals: dict[int, dict[str, Any]] = {
        row["stage_id"]: dict(row)
        for row in Deal.objects.filter(workspace=workspace, stage_id__in=ids)
        .values("stage_id")
        .annotate(n=Count("pk"), value=Sum("value"))
    }
    changes = DealStageChange.objects.filter(
        _in(period, "changed_at"), workspace=workspace, to_stage_id__in=ids
    )
    entered: dict[int, dict[str, Any]] = {
        row["to_stage_id"]: dict(row)
        for row in changes.values("to_stage_id").annotate(
            n=Count("pk"),
            moved_on=Count("pk", filter=Q(moved_on=True)),
        )
    }
    left: dict[int, dict[str, Any]] = {
        row["from_stage_id"]: dict(row)
        for row in DealStageChange.objects.filter(
            _in(period, "changed_at"), workspace=workspace, from_stage_id__in=ids
        )
        .values("from_stage_id")
        .annotate(n=Count("pk"), seconds=Avg("seconds_in_from_stage"))
    }
    rows = []
    for pk, name, _position, _pipeline in stages:
        now, came, went = open_deals.get(pk, {}), entered.get(pk, {}), left.get(pk, {})
        rows.append(
            {
                "stage": name,
                "deals": now.get("n", 0),
                "value": now.get("value") or Decimal("0"),
                "entered": came.get("n", 0),
                "moved_on": came.get("moved_on", 0),
                "conversion": _rate(came.get("moved_on", 0), came.get("n", 0)),
                "left": went.get("n", 0),
                "avg_days": round(went["seconds"] / 86400, 1)
                if went.get("seconds") is not None
                else None,
            }
        )
    return ReportData(
        summary=[
            ("Pipeline", pipeline_name or "—"),
            ("Deals", str(sum(row["deals"] for row in rows))),
            ("Value", _money(sum((row["value"] for row in rows), Decimal("0")))),
            ("Entered a stage", str(sum(row["entered"] for row in rows))),
        ],
        chart=Chart(
            kind="grouped",
            categories=[row["stage"] for row in rows],
            series=[Series("Value", [float(row["value"]) for row in rows])],
            unit="money",
        ),
        tables=[
            Table(
                "Per stage",
                [
                    Column("stage", "Stage", "text"),
                    Column("deals", "Deals now"),
                    Column("value", "Value now", "money"),
                    Column("entered", "Entered in range"),
                    Column("moved_on", "Moved further"),
                    Column("conversion", "Conversion", "percent"),
                    Column("left", "Left in range"),
                    Column("avg_days", "Avg days in stage", "days"),
                ],
                rows,
            )
        ],
        notes=[
            "Deals now and their value are today's. Conversion: of the deals that entered a "
            "stage in the range, the share whose next move took them to a later stage. Days in "
            "stage: for the deals that left it in the range."
        ],
    )


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _money(value: Decimal) -> str:
    return f"{value:,.0f}"


# Engagement -----------------------------------------------------------------------------------

MOVING_KINDS = [
    Activity.Kind.EMAIL_OPEN,
    Activity.Kind.EMAIL_CLICK,
    Activity.Kind.REPLY,
    Activity.Kind.CALL_DONE,
    Activity.Kind.MEETING_BOOKED,
    Activity.Kind.WIZARD_STEP,
    Activity.Kind.PDF_DOWNLOAD,
    Activity.Kind.VIDEO_PLAY,
]


def engagement(*, workspace: Workspace, period: Period, filters: Filters) -> ReportData:
    levels = dict(
        MemberEngagement.objects.filter(workspace=workspace)
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    # A contact has one score (unique per contact and workspace): a join, not a lookup a row.
    signals = (
        Activity.objects.filter(
            _in(period, "occurred_at"),
            workspace=workspace,
            kind__in=MOVING_KINDS,
            contact__isnull=False,
        )
        .annotate(level=F("contact__engagements__level"), bucket=period.bucket_of("occurred_at"))
        .values("level", "kind", "bucket")
        # A row may stand for a day's repeated opens or clicks of one email (retention compacts
        # them): its `repeats` counts them, and the signals' index holds it with the rest.
        .annotate(n=Sum("repeats"))
    )
    by_level: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    signals_by_bucket: dict[tuple[date, str], float] = defaultdict(int)
    for row in signals:
        level = row["level"] or "unscored"
        by_level[level][row["kind"]] += row["n"]
        signals_by_bucket[
            (
                period.bucket_day(row["bucket"]),
                EngagementLevel(row["level"]).label if row["level"] else "Not scored",
            )
        ] += row["n"]
    overrides = dict(
        EngagementOverrideHistory.objects.filter(_in(period, "performed_at"), workspace=workspace)
        .values_list("new_level")
        .annotate(n=Count("pk"))
    )
    level_order = [level.value for level in EngagementLevel]
    rows = [
        {
            "level": EngagementLevel(level).label,
            "contacts": levels.get(level, 0),
            "overrides": overrides.get(level, 0),
        }
        | {kind.value: by_level[level].get(kind, 0) for kind in MOVING_KINDS}
        for level in level_order
    ]
    over_time = _levels_over_time(workspace=workspace, period=period, today_counts=levels)
    labels = [EngagementLevel(level).label for level in level_order]
    series_names = [*labels, "Not scored"]
    day_label = "Day" if period.by == "day" else "Week of"
    return ReportData(
        summary=[
            (EngagementLevel(level).label, str(levels.get(level, 0))) for level in level_order
        ],
        chart=_bucketed(period, over_time, labels),
        tables=[
            Table(
                f"Contacts per level, per {period.by}",
                [Column("bucket", day_label, "text")] + [Column(label, label) for label in labels],
                [
                    {"bucket": day.isoformat()}
                    | {label: over_time.get((day, label), 0) for label in labels}
                    for day in period.buckets()
                ],
            ),
            Table(
                "Per level",
                [
                    Column("level", "Level", "text"),
                    Column("contacts", "Contacts now"),
                    Column("overrides", "Set by an admin in range"),
                    *(Column(kind.value, kind.label) for kind in MOVING_KINDS),
                ],
                rows,
            ),
            Table(
                f"Signals that move a score, per {period.by}",
                [Column("bucket", day_label, "text")]
                + [Column(name, f"From {name.lower()} contacts") for name in series_names],
                [
                    {"bucket": day.isoformat()}
                    | {name: signals_by_bucket.get((day, name), 0) for name in series_names}
                    for day in period.buckets()
                ],
            ),
        ],
        notes=[
            "Contacts per level: the count recorded at the end of each day (of the week's last "
            "recorded day), and today's as it stands. Signals are opens, clicks, replies, calls, "
            "meetings, wizard steps, downloads and plays, by the level their contact has now."
        ],
    )


def _levels_over_time(
    *, workspace: Workspace, period: Period, today_counts: dict[str, int]
) -> dict[tuple[date, str], float]:
    """Each bucket's contacts per level: its last recorded day's counts (days are few, so
    the grouped rows are picked here), and for today the live counts."""
    recorded = EngagementLevelDay.objects.filter(
        workspace=workspace, day__gte=period.start, day__lte=period.end
    ).values_list("day", "level", "contacts")
    by_day: dict[date, dict[str, int]] = defaultdict(dict)
    for day, level, contacts in recorded:
        by_day[day][level] = contacts
    today = timezone.localdate(timezone=period.time_zone)
    if period.start <= today <= period.end:
        by_day[today] = dict(today_counts)
    buckets = period.buckets()
    counts: dict[tuple[date, str], float] = {}
    for day in sorted(by_day):
        bucket = max(b for b in buckets if b <= day)
        # Later days overwrite earlier ones: a week shows its last recorded day.
        for level in EngagementLevel:
            counts[(bucket, level.label)] = by_day[day].get(level.value, 0)
    return counts


# Campaigns ------------------------------------------------------------------------------------


def campaigns(*, workspace: Workspace, period: Period, filters: Filters) -> ReportData:
    chosen = Campaign.objects.filter(workspace=workspace).order_by("-created_at", "-pk")
    if filters.campaign:
        chosen = chosen.filter(pk=filters.campaign)
    names = dict(chosen.values_list("pk", "name"))
    made = dict(
        CampaignProspect.objects.filter(
            _in(period, "completed_at"),
            workspace=workspace,
            status=CampaignProspect.Status.COMPLETE,
            campaign_id__in=list(names),
        )
        .values_list("campaign_id")
        .annotate(n=Count("pk"))
    )
    entry = "prospect__campaign_entries__"
    wizard = {
        (row[f"{entry}campaign_id"], row["kind"]): row
        for row in Activity.objects.filter(
            _in(period, "occurred_at"),
            workspace=workspace,
            kind__in=[Activity.Kind.WIZARD_STEP, Activity.Kind.PDF_DOWNLOAD],
            **{f"{entry}campaign_id__in": list(names)},
        )
        .values(f"{entry}campaign_id", "kind")
        .annotate(n=Count("*"), prospects=Count("prospect_id", distinct=True))
    }
    # A play names the campaign video it was of, and once the player has told, how much of it
    # was watched (plays from before it told count as plays, not in the average).
    video = CampaignProspect.objects.filter(pk=OuterRef("video_id"))
    plays: dict[int, dict[str, Any]] = {
        row["campaign_id"]: dict(row)
        for row in Activity.objects.filter(
            _in(period, "occurred_at"),
            workspace=workspace,
            kind=Activity.Kind.VIDEO_PLAY,
            metadata__has_key="campaignProspectId",
        )
        .annotate(video_id=Cast(KT("metadata__campaignProspectId"), IntegerField()))
        .annotate(campaign_id=Subquery(video.values("campaign_id")[:1]))
        .filter(campaign_id__in=list(names))
        .values("campaign_id")
        .annotate(n=Count("pk"), watched=Avg(Cast(KT("metadata__watched"), FloatField())))
    }
    # What followed: call tasks and meetings of the campaign's prospects after its launch.
    after_launch = Q(created_at__gte=F(f"{entry}campaign__launched_at"))
    call_tasks = dict(
        OutreachLog.objects.filter(
            _in(period, "created_at"),
            after_launch,
            workspace=workspace,
            channel=OutreachLog.Channel.CALL,
            metadata__kind=OutreachLog.TOUCH_TASK,
            **{f"{entry}campaign_id__in": list(names)},
        )
        .values_list(f"{entry}campaign_id")
        .annotate(n=Count("pk", distinct=True))
    )
    meetings = dict(
        Meeting.objects.filter(
            _in(period, "created_at"),
            after_launch,
            workspace=workspace,
            **{f"{entry}campaign_id__in": list(names)},
        )
        .values_list(f"{entry}campaign_id")
        .annotate(n=Count("pk", distinct=True))
    )
    rows = []
    for pk, name in names.items():
        visits = wizard.get((pk, Activity.Kind.WIZARD_STEP), {})
        downloads = wizard.get((pk, Activity.Kind.PDF_DOWNLOAD), {})
        played: dict[str, Any] = plays.get(pk, {})
        rows.append(
            {
                "campaign": name,
                "videos": made.get(pk, 0),
                "visitors": visits.get("prospects", 0),
                "step_views": visits.get("n", 0),
                "plays": played.get("n", 0),
                "watched": _share(played.get("watched")),
                "downloads": downloads.get("n", 0),
                "call_tasks": call_tasks.get(pk, 0),
                "meetings": meetings.get(pk, 0),
            }
        )
    series = [
        ("Videos made", "videos"),
        ("Wizard visitors", "visitors"),
        ("Plays", "plays"),
        ("PDF downloads", "downloads"),
        ("Meetings", "meetings"),
    ]
    return ReportData(
        summary=[(label, str(sum(row[key] for row in rows))) for label, key in series],
        chart=Chart(
            kind="grouped",
            categories=[row["campaign"] for row in rows],
            series=[Series(label, [row[key] for row in rows]) for label, key in series],
        ),
        tables=[
            Table(
                "Per campaign",
                [
                    Column("campaign", "Campaign", "text"),
                    Column("videos", "Videos made"),
                    Column("visitors", "Wizard visitors"),
                    Column("step_views", "Wizard step views"),
                    Column("plays", "Video plays"),
                    Column("watched", "Avg watched", "percent"),
                    Column("downloads", "PDF downloads"),
                    Column("call_tasks", "Call tasks after"),
                    Column("meetings", "Meetings after"),
                ],
                rows,
            )
        ],
        notes=[
            "Wizard visitors are prospects who opened their page. Avg watched: how far into the "
            "video a play got, on average, of the plays whose player told (it tells when the "
            "prospect pauses, finishes or leaves). Call tasks and meetings count when they came "
            "after the campaign's launch."
        ],
    )


register(
    Report(
        "sequence-funnel",
        "Sequence funnel",
        "Enrolled, sent, opened, clicked and replied, per sequence and step.",
        ("sequence",),
        sequence_funnel,
        buckets=False,
    )
)
register(
    Report(
        "activity",
        "Activity by rep",
        "Emails, calls by outcome, tasks and meetings, per rep and per day or week.",
        ("rep",),
        activity_by_rep,
    )
)
register(
    Report(
        "replies",
        "Replies over time",
        "Replies by intent, and how often the triage was right.",
        (),
        replies_over_time,
    )
)
register(
    Report(
        "pipeline",
        "Pipeline",
        "Deal value and count by stage, conversion and days in stage.",
        ("pipeline",),
        pipeline,
        buckets=False,
    )
)
register(
    Report(
        "engagement",
        "Engagement",
        "Contacts per level, and the signals that moved them.",
        (),
        engagement,
    )
)
register(
    Report(
        "campaigns",
        "Campaigns",
        "Videos made, wizard visits, plays, downloads, and what followed.",
        ("campaign",),
        campaigns,
        buckets=False,
    )
)
