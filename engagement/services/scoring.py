"""Computing engagement scores: a workspace's contacts in set-based batches that skip every
contact whose signals have not changed, or one contact on demand."""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Field
from django.utils import timezone
from psycopg.types.json import Jsonb

from config.errors import NotFound
from engagement import selectors
from engagement.models import MemberEngagement
from engagement.providers import Classification, EngagementProvider, get_provider
from engagement.services.overrides import engagement_overrides_clear_expired
from engagement.signals import (
    NO_ACTIVITY,
    ScoringClock,
    ScoringInput,
    build_signals,
    signals_digest,
)
from outreach.models import Contact, Workspace
from outreach.outbox.services import publish

# What the computation writes; the override columns belong to admins and are never touched.
COMPUTED_FIELDS = [
    "computed_level",
    "admin_explanation",
    "member_explanation",
    "signals",
    "signals_hash",
    "model_version",
    "fallback_reason",
    "computed_at",
]
_BATCH_TABLE = "engagement_score_batch"
_BLANK_OVERRIDE_FIELDS = ("override_level", "override_notes", "overridden_by_label")


@dataclass
class ComputeReport:
    contacts_seen: int = 0
    scored: int = 0
    skipped: int = 0
    fell_back: int = 0
    overrides_cleared: int = 0
    # Set when the run stopped for time: the next run continues after this contact.
    resume_after: int | None = None
    levels: dict[str, int] = field(default_factory=dict)


def engagement_compute_workspace(
    *,
    workspace: Workspace,
    provider: EngagementProvider | None = None,
    now: datetime | None = None,
    after_contact_id: int = 0,
    time_budget_seconds: float | None = None,
    batch_size: int | None = None,
) -> ComputeReport:
    """Score every contact of the workspace whose signals changed since its last score.

    Works through the contacts by id in batches; each batch costs a fixed handful of queries
    (the contacts, two grouped activity reads, the upsert, and a level sync for scores already
    stored). With a time budget it stops between batches and says where to resume; skipping
    unchanged contacts makes a resumed or repeated run cheap.
    """
    provider = provider or get_provider()
    now = now or timezone.now()
    started = time.monotonic()
    report = ComputeReport()
    report.overrides_cleared = engagement_overrides_clear_expired(workspace=workspace, now=now)
    clock = ScoringClock(now=now, thresholds=selectors.thresholds_for(workspace=workspace))
    size = batch_size or settings.ENGAGEMENT_BATCH_SIZE
    cursor = after_contact_id
    while True:
        contacts = selectors.contacts_to_score(
            workspace=workspace, after_contact_id=cursor, limit=size
        )
        if not contacts:
            return report
        report.contacts_seen += len(contacts)
        stale = _stale_inputs(workspace, contacts, clock, provider, force=False)
        report.skipped += len(contacts) - len(stale)
        for chunk in _chunks(stale, provider.batch_size):
            _score_and_write(workspace, chunk, clock, provider, report)
            if _out_of_time(started, time_budget_seconds) and chunk[-1] is not stale[-1]:
                report.resume_after = chunk[-1].contact_id
                return report
        cursor = contacts[-1]["pk"]
        if len(contacts) < size:
            return report
        if _out_of_time(started, time_budget_seconds):
            report.resume_after = cursor
            return report


def engagement_compute_contact(
    *,
    contact: Contact,
    provider: EngagementProvider | None = None,
    now: datetime | None = None,
) -> MemberEngagement:
    """Score one contact now, whether or not anything changed (the "recompute" button)."""
    provider = provider or get_provider()
    now = now or timezone.now()
    workspace = contact.workspace
    engagement_overrides_clear_expired(workspace=workspace, now=now, contact_ids=[contact.pk])
    clock = ScoringClock(now=now, thresholds=selectors.thresholds_for(workspace=workspace))
    contacts = selectors.contacts_to_score(workspace=workspace, contact_ids=[contact.pk], limit=1)
    if not contacts:
        raise NotFound(f"No contact with id {contact.pk}.")
    inputs = _stale_inputs(workspace, contacts, clock, provider, force=True)
    _score_and_write(workspace, inputs, clock, provider, ComputeReport())
    return MemberEngagement.objects.get(workspace=workspace, contact=contact)


def engagement_compute_workspace_soon(*, workspace: Workspace) -> None:
    """Score the workspace in the background now rather than at the next daily run."""
    from engagement.tasks import compute_workspace_scores

    # The daily run scores the workspace anyway if the broker is down now.
    transaction.on_commit(lambda: publish(task=compute_workspace_scores, args=[workspace.pk]))


def _stale_inputs(
    workspace: Workspace,
    contacts: list[selectors.ContactToScore],
    clock: ScoringClock,
    provider: EngagementProvider,
    *,
    force: bool,
) -> list[ScoringInput]:
    own, company = selectors.activity_counts(
        workspace=workspace,
        contact_ids=[c["pk"] for c in contacts],
        prospect_ids=list({c["prospect_id"] for c in contacts}),
        clock=clock,
    )
    fresh_since = clock.now - timedelta(days=settings.ENGAGEMENT_RESCORE_AFTER_DAYS)
    stale = []
    for contact in contacts:
        signals = build_signals(
            contact=contact,
            own=own.get(contact["pk"], NO_ACTIVITY),
            company=company.get(contact["prospect_id"], NO_ACTIVITY),
            clock=clock,
        )
        digest = signals_digest(signals, clock.thresholds)
        scored_at = contact["scored_at"]  # None when the contact has no score yet
        unchanged = (
            scored_at is not None
            and contact["scored_hash"] == digest
            and contact["scored_model_version"] == provider.model_version
            and scored_at >= fresh_since
        )
        if unchanged and not force:
            continue
        stale.append(
            ScoringInput(
                contact_id=contact["pk"],
                prospect_id=contact["prospect_id"],
                first_name=contact["first_name"],
                contact_name=(
                    f"{contact['first_name']} {contact['last_name']}".strip() or contact["email"]
                ),
                prospect_name=contact["prospect_name"],
                signals=signals,
                rule_level=signals["rule_level"],
                signals_hash=digest,
                was_scored=contact["scored_hash"] is not None,
                team_name=workspace.name,
                team_time_zone=workspace.time_zone,
                contact_time_zone=contact["time_zone"] or workspace.time_zone,
            )
        )
    return stale


def _score_and_write(
    workspace: Workspace,
    inputs: list[ScoringInput],
    clock: ScoringClock,
    provider: EngagementProvider,
    report: ComputeReport,
) -> None:
    if not inputs:
        return
    # The provider may call a hosted model: no transaction is open while it runs.
    results = provider.classify(inputs, thresholds=clock.thresholds, as_of=clock.as_of)
    scores = [_score(item, result) for item, result in zip(inputs, results, strict=True)]
    rescored = [item.contact_id for item in inputs if item.was_scored]
    try:
        _write(workspace, scores, rescored, clock.now)
    except IntegrityError:
        # A contact was deleted while its score was being computed; write the others.
        existing = set(
            Contact.objects.filter(pk__in=[s.contact_id for s in scores]).values_list(
                "pk", flat=True
            )
        )
        scores = [score for score in scores if score.contact_id in existing]
        _write(workspace, scores, rescored, clock.now)
    report.scored += len(scores)
    report.fell_back += sum(1 for score in scores if score.fallback_reason)
    for score in scores:
        report.levels[score.level] = report.levels.get(score.level, 0) + 1


@dataclass(frozen=True)
class _Score:
    """What a computation writes for one contact."""

    contact_id: int
    level: str
    admin_explanation: str
    member_explanation: str
    signals: dict[str, Any]
    signals_hash: str
    model_version: str
    fallback_reason: str


def _score(item: ScoringInput, result: Classification) -> _Score:
    signals = item.signals
    if result.fallback_reason:
        signals = {**signals, "fallback_reason": result.fallback_reason}
    return _Score(
        contact_id=item.contact_id,
        level=result.level,
        admin_explanation=result.admin_explanation,
        member_explanation=result.member_explanation,
        signals=signals,
        signals_hash=item.signals_hash,
        model_version=result.model_version,
        fallback_reason=result.fallback_reason,
    )


def _computed_values(score: _Score, now: datetime) -> dict[str, Any]:
    """The COMPUTED_FIELDS of a score, by name."""
    return {
        "computed_level": score.level,
        "admin_explanation": score.admin_explanation,
        "member_explanation": score.member_explanation,
        "signals": score.signals,
        "signals_hash": score.signals_hash,
        "model_version": score.model_version,
        "fallback_reason": score.fallback_reason,
        "computed_at": now,
    }


def _write(
    workspace: Workspace, scores: list[_Score], rescored_contact_ids: list[int], now: datetime
) -> None:
    """Insert new scores and update stored ones, never touching the override columns."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy_and_upsert(workspace, scores, now)
        else:
            MemberEngagement.objects.bulk_create(
                [
                    MemberEngagement(
                        workspace=workspace,
                        contact_id=score.contact_id,
                        level=score.level,
                        **_computed_values(score, now),
                    )
                    for score in scores
                ],
                update_conflicts=True,
                unique_fields=["contact", "workspace"],
                update_fields=COMPUTED_FIELDS,
            )
        if not rescored_contact_ids:
            return
        # A stored score's visible level follows the computed one unless an override is in
        # force. Checked in the UPDATE itself, so an override an admin sets meanwhile stays.
        MemberEngagement.objects.filter(
            workspace=workspace, contact_id__in=rescored_contact_ids, override_level=""
        ).exclude(level=F("computed_level")).update(level=F("computed_level"))


def _copy_and_upsert(workspace: Workspace, scores: list[_Score], now: datetime) -> None:
    """PostgreSQL: COPY the batch into a temporary table, then upsert from it in one
    statement. Quoting thousands of long explanations into a single INSERT costs the client
    over ten times what COPY does, and the client is where a batch spends its time."""
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        model_field = MemberEngagement._meta.get_field(name)
        # Every name asked for is a concrete field of the model, which has a column; the stubs
        # also allow a reverse relation, which has none.
        assert isinstance(model_field, Field) and model_field.column is not None, name
        return quote(model_field.column)

    table = quote(MemberEngagement._meta.db_table)
    computed = [column(name) for name in COMPUTED_FIELDS]
    columns = ", ".join([column("workspace"), column("contact"), column("level"), *computed])
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_BATCH_TABLE} ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        # Emptied at commit; emptied here too for a caller inside a longer transaction.
        cursor.execute(f"TRUNCATE {_BATCH_TABLE}")
        with cursor.cursor.copy(f"COPY {_BATCH_TABLE} ({columns}) FROM STDIN") as copy:
            for score in scores:
                values = _computed_values(score, now)
                values["signals"] = Jsonb(values["signals"])
                computed_values = (values[name] for name in COMPUTED_FIELDS)
                copy.write_row((workspace.pk, score.contact_id, score.level, *computed_values))
        # A new score starts without an override (those text columns have no database
        # default); a stored one keeps its override columns as they are.
        blank = ", ".join(column(name) for name in _BLANK_OVERRIDE_FIELDS)
        empty = ", ".join("''" for _ in _BLANK_OVERRIDE_FIELDS)
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in computed)
        # In contact order, so two runs writing the same scores lock rows in the same order.
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {blank}) "
            f"SELECT {columns}, {empty} FROM {_BATCH_TABLE} ORDER BY {column('contact')} "
            f"ON CONFLICT ({column('contact')}, {column('workspace')}) DO UPDATE SET {updates}"
        )


def _chunks(items: list[ScoringInput], size: int) -> Iterator[list[ScoringInput]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _out_of_time(started: float, budget: float | None) -> bool:
    return budget is not None and time.monotonic() - started >= budget
