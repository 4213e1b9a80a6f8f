"""Retention of email tracking: old opens and clicks are compacted, one row per email, contact,
kind and day, which counts the repeats it stands for.

Every open of the tracking pixel and every tracked click is an activity row, and most of them
are repeats: a mail client's image proxy fetching it again, the same email read three times.
Nothing reads them one by one. Engagement scores and the engagement report count them (they
sum `repeats`), and the sequence funnel counts the emails opened or clicked in a range of the
workspace's days. So once EMAIL_TRACKING_COMPACT_AFTER_DAYS have passed, an email's opens (or
clicks) by one contact on one of the workspace's calendar days become one row: the day's last,
counting them all. Every day and week a report shows keeps its figures, and so does every
score but for the repeats of the one day at the edge of its window.

Why nothing is counted twice or lost: each batch claims its rows with
`select_for_update(skip_locked=True)`, so two sweepers take different rows; the row a group is
folded into is locked too (compacted rows are never in a batch, and are locked in id order),
and the sum, the update and the deletion commit together.

Two sweepers can still wait on each other in a circle: a claim that meets a row another sweeper
has just compacted leaves it out but keeps its lock, out of id order. PostgreSQL then aborts one
of them; its batch rolls back whole and is taken again, so a deadlock costs a second, never a row.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.sweeps import in_batches, retrying_deadlocks, sweep_deadline
from outreach.models import Activity, Workspace

SIGNALS = list(Activity.STEP_SIGNALS)
# What grouping and folding a row reads.
FIELDS = (
    "pk",
    "workspace_id",
    "contact_id",
    "prospect_id",
    "kind",
    "step_id",
    "metadata",
    "occurred_at",
    "repeats",
)

# One email's opens (or clicks) by one contact (or company) on one day of its workspace.
GroupKey = tuple[int, int | None, int, str, int | None, Any, date]


def tracking_compact(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    time_budget_seconds: float | None = None,
) -> int:
    """Compact opens and clicks older than EMAIL_TRACKING_COMPACT_AFTER_DAYS, in batches,
    each in its own short transaction, until done or out of time; returns how many rows
    were folded into another (and so deleted)."""
    before = (now or timezone.now()) - timedelta(days=settings.EMAIL_TRACKING_COMPACT_AFTER_DAYS)
    folded = 0

    def step(batch: int) -> int:
        nonlocal folded
        claimed, deleted = retrying_deadlocks(lambda: _compact_batch(before=before, batch=batch))
        folded += deleted
        return claimed

    in_batches(step, batch_size=batch_size, deadline=sweep_deadline(time_budget_seconds))
    return folded


def _compact_batch(*, before: datetime, batch: int) -> tuple[int, int]:
    """Compact one batch; returns (rows claimed, rows deleted). Six queries at most."""
    with transaction.atomic():
        rows = list(
            Activity.objects.filter(kind__in=SIGNALS, compacted=False, occurred_at__lt=before)
            .order_by("occurred_at", "pk")
            .select_for_update(skip_locked=True)
            .only(*FIELDS)[:batch]
        )
        if not rows:
            return 0, 0
        zones = {
            pk: ZoneInfo(name)
            for pk, name in Workspace.objects.filter(
                pk__in={row.workspace_id for row in rows}
            ).values_list("pk", "time_zone")
        }
        groups: dict[GroupKey, list[Activity]] = defaultdict(list)
        for row in rows:
            groups[_key(row, zones[row.workspace_id])].append(row)

        # Rows compacted by earlier batches that these groups fold into: the same prospects'
        # compacted signals over the days of this batch (the prospect's index leads to them).
        first = min(row.occurred_at for row in rows) - timedelta(days=1)
        last = max(row.occurred_at for row in rows) + timedelta(days=1)
        earlier = (
            Activity.objects.filter(
                kind__in=SIGNALS,
                compacted=True,
                prospect_id__in={row.prospect_id for row in rows},
                occurred_at__gte=first,
                occurred_at__lt=last,
            )
            .order_by("pk")
            .select_for_update()
            .only(*FIELDS)
        )
        kept: dict[GroupKey, Activity] = {}
        for row in earlier:
            key = _key(row, zones.get(row.workspace_id) or ZoneInfo("UTC"))
            if key in groups:
                kept.setdefault(key, row)

        alone: list[int] = []
        folded_into: list[Activity] = []
        gone: list[int] = []
        for key, members in groups.items():
            survivor = kept.get(key)
            if survivor is None and len(members) == 1:
                alone.append(members[0].pk)
                continue
            everyone = ([survivor] if survivor else []) + members
            latest = max(everyone, key=lambda row: (row.occurred_at, row.pk))
            survivor = survivor or latest
            survivor.repeats = sum(row.repeats for row in everyone)
            # The day's last open (or click, with its link) is the one the row shows.
            survivor.occurred_at = latest.occurred_at
            survivor.metadata = latest.metadata
            survivor.compacted = True
            folded_into.append(survivor)
            gone.extend(row.pk for row in members if row.pk != survivor.pk)
        if alone:
            Activity.objects.filter(pk__in=alone).update(compacted=True)
        if folded_into:
            Activity.objects.bulk_update(
                folded_into, ["repeats", "occurred_at", "metadata", "compacted"]
            )
        if gone:
            Activity.objects.filter(pk__in=gone).delete()
        return len(rows), len(gone)


def _key(row: Activity, zone: ZoneInfo) -> GroupKey:
    metadata = row.metadata if isinstance(row.metadata, dict) else {}
    return (
        row.workspace_id,
        row.contact_id,
        row.prospect_id,
        row.kind,
        row.step_id,
        # The email, sequence step or one-off: both name their log entry.
        metadata.get("logId"),
        timezone.localtime(row.occurred_at, zone).date(),
    )
