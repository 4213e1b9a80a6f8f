"""Reads of the CRM, always scoped to one workspace and shaped to avoid N+1 queries."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from config.errors import ValidationFailed
from config.filters import given, text_search
from outreach.models import (
    Contact,
    Deal,
    OutreachLog,
    Pipeline,
    Prospect,
    Stage,
    TaskPriority,
    Workspace,
)
from outreach.models.querysets import TaggedQuerySet


def stage_in_pipeline(*, pipeline_id: int, stage_id: int | None) -> Stage | None:
    if stage_id is None:
        return None
    stage = Stage.objects.filter(pipeline_id=pipeline_id, pk=stage_id).first()
    if stage is None:
        raise ValidationFailed.for_field("stage_id", "No such stage in that pipeline.")
    return stage


# A list's sortable columns, each with the order that pages it straight off an index.
PROSPECT_SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "status": ("status", "name", "pk"),
    "-status": ("-status", "-name", "-pk"),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
}
CONTACT_SORTS = {
    "name": ("last_name", "first_name", "pk"),
    "-name": ("-last_name", "-first_name", "-pk"),
    "email": ("email", "pk"),
    "-email": ("-email", "-pk"),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
}


def prospect_list(
    *,
    workspace: Workspace,
    q: str = "",
    status: str | None = None,
    tag: str | None = None,
    owner_id: int | None = None,
    sort: str | None = None,
) -> TaggedQuerySet[Prospect]:
    prospects = Prospect.objects.filter(
        text_search(q, "name", "domain"),
        workspace=workspace,
        **given(status=status, tags__name__iexact=tag, owner_id=owner_id),
    )
    return prospects.order_by(*PROSPECT_SORTS.get(sort or "name", PROSPECT_SORTS["name"]))


PROSPECT_ROW_FIELDS = (
    "id",
    "name",
    "domain",
    "website",
    "status",
    "owner_id",
    "custom_fields",
    "created_at",
    "updated_at",
)


def prospect_rows(prospects: QuerySet[Prospect]) -> QuerySet:
    """The prospects as plain rows with their tag names, as the API returns them."""
    return prospects.values(*PROSPECT_ROW_FIELDS).with_tag_names()


def prospect_list_for_dashboard(**filters) -> QuerySet[Prospect]:
    return (
        prospect_list(**filters)
        .select_related("owner")
        .prefetch_related("tags")
        .annotate(
            contact_count=Count("contacts", distinct=True),
            open_task_count=Count(
                "outreach_logs",
                filter=Q(outreach_logs__status=OutreachLog.Status.TOUCH_OPEN),
                distinct=True,
            ),
        )
    )


def prospect_status_counts(*, workspace: Workspace) -> dict[str, int]:
    rows = (
        Prospect.objects.filter(workspace=workspace)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {status: 0 for status in Prospect.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def contact_list(
    *,
    workspace: Workspace,
    q: str = "",
    prospect_id: int | None = None,
    outreach_status: str | None = None,
    tag: str | None = None,
    sort: str | None = None,
) -> TaggedQuerySet[Contact]:
    contacts = Contact.objects.filter(
        text_search(q, "first_name", "last_name", "email"),
        workspace=workspace,
        **given(prospect_id=prospect_id, outreach_status=outreach_status, tags__name__iexact=tag),
    )
    return contacts.order_by(*CONTACT_SORTS.get(sort or "name", CONTACT_SORTS["name"]))


def pipeline_list(*, workspace: Workspace) -> QuerySet[Pipeline]:
    return (
        Pipeline.objects.filter(workspace=workspace)
        .prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("position", "pk")))
        .order_by("name", "pk")
    )


def deal_list(
    *,
    workspace: Workspace,
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    prospect_id: int | None = None,
) -> TaggedQuerySet[Deal]:
    deals = Deal.objects.filter(
        workspace=workspace,
        **given(pipeline_id=pipeline_id, stage_id=stage_id, prospect_id=prospect_id),
    )
    return deals.select_related("stage").order_by("-created_at", "-pk")


def task_queue(
    *,
    workspace: Workspace,
    status: str = "open",
    priority: str | None = None,
    assignee_id: int | None = None,
    prospect_id: int | None = None,
    overdue: bool = False,
    snoozed: bool | None = None,
) -> QuerySet[OutreachLog]:
    """Touch tasks, open ones high priority first and soonest due; closed ones newest first.

    `snoozed=False` leaves out the tasks a rep snoozed until a time still to come (the queue
    a rep works through); `snoozed=True` keeps only those."""
    tasks = OutreachLog.objects.filter(workspace=workspace, metadata__kind=OutreachLog.TOUCH_TASK)
    statuses = {
        "open": [OutreachLog.Status.TOUCH_OPEN],
        "done": [OutreachLog.Status.DONE],
        "skipped": [OutreachLog.Status.SKIPPED],
        "all": [OutreachLog.Status.TOUCH_OPEN, OutreachLog.Status.DONE, OutreachLog.Status.SKIPPED],
    }[status]
    tasks = tasks.filter(status__in=statuses)
    if priority:
        tasks = tasks.filter(priority=TaskPriority.from_label(priority))
    tasks = tasks.filter(**given(assignee_id=assignee_id, prospect_id=prospect_id))
    if overdue:
        tasks = tasks.filter(status=OutreachLog.Status.TOUCH_OPEN, due_at__lt=timezone.now())
    if snoozed is not None:
        asleep = Q(metadata__has_key="snoozedUntil", due_at__gt=timezone.now())
        tasks = tasks.filter(asleep) if snoozed else tasks.exclude(asleep)
    ordering = ["priority", "due_at", "pk"] if status == "open" else ["-updated_at", "-pk"]
    return tasks.select_related("prospect", "contact").order_by(*ordering)


def outreach_log_for_prospect(*, prospect: Prospect) -> QuerySet[OutreachLog]:
    return (
        OutreachLog.objects.filter(prospect=prospect)
        .select_related("contact", "created_by", "completed_by")
        .order_by("-created_at", "-pk")
    )


def outreach_log_for_contact(*, contact: Contact) -> QuerySet[OutreachLog]:
    """The contact's timeline: every touch and closed task, newest first (open tasks are the
    queue's)."""
    return (
        OutreachLog.objects.filter(workspace_id=contact.workspace_id, contact=contact)
        .exclude(status=OutreachLog.Status.TOUCH_OPEN)
        .select_related("created_by", "completed_by")
        .order_by("-created_at", "-pk")
    )


# A column shows the deals that arrived in its stage last; the rest are counted in its head.
BOARD_CARDS_PER_STAGE = 50


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    deal_count: int
    total_value: Decimal
    cards: list[Deal]
    # The stages on either side, where a card's buttons move it.
    previous: Stage | None
    next: Stage | None

    @property
    def hidden_count(self) -> int:
        return self.deal_count - len(self.cards)


def deal_board(*, pipeline: Pipeline) -> list[BoardColumn]:
    """The pipeline's stages in order, each with its deal count and value and its newest
    cards: three queries, however many deals and stages there are."""
    stages = list(pipeline.stages.order_by("position", "pk"))
    deals = Deal.objects.filter(workspace_id=pipeline.workspace_id, pipeline=pipeline)
    totals = {
        row["stage_id"]: (row["n"], row["total"] or Decimal("0"))
        for row in deals.values("stage_id").annotate(n=Count("pk"), total=Sum("value")).order_by()
    }
    cards: dict[int, list[Deal]] = {stage.pk: [] for stage in stages}
    ranked = (
        deals.select_related("prospect", "contact")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("stage_id")],
                order_by=[F("stage_changed_at").desc(nulls_last=True), F("pk").desc()],
            )
        )
        .filter(rank__lte=BOARD_CARDS_PER_STAGE)
        .order_by("stage_id", "rank")
    )
    for deal in ranked:
        cards.setdefault(deal.stage_id, []).append(deal)
    return [
        BoardColumn(
            stage=stage,
            deal_count=totals.get(stage.pk, (0, Decimal("0")))[0],
            total_value=totals.get(stage.pk, (0, Decimal("0")))[1],
            cards=cards[stage.pk],
            previous=stages[i - 1] if i > 0 else None,
            next=stages[i + 1] if i + 1 < len(stages) else None,
        )
        for i, stage in enumerate(stages)
    ]
