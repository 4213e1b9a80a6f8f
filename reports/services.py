"""The reports' one write: the daily count of contacts per engagement level."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from engagement.models import MemberEngagement
from reports.models import EngagementLevelDay


def engagement_levels_record(*, now: datetime | None = None) -> int:
    """Record, for every workspace, its contacts per level on its own calendar day, replacing
    what an earlier run recorded for that day: a repeat, or two runs at once (the unique
    constraint and the transaction), leave exactly one row per workspace, day and level.
    Reads grouped counts, never the scores themselves. Returns the rows written."""
    now = now or timezone.now()
    counts = (
        MemberEngagement.objects.values("workspace_id", "workspace__time_zone", "level")
        .annotate(contacts=Count("pk"))
        .order_by()
    )
    rows = [
        EngagementLevelDay(
            workspace_id=row["workspace_id"],
            day=now.astimezone(ZoneInfo(row["workspace__time_zone"])).date(),
            level=row["level"],
            contacts=row["contacts"],
            recorded_at=now,
        )
        for row in counts
    ]
    days = {(row.workspace_id, row.day) for row in rows}
    with transaction.atomic():
        for workspace_id, day in days:
            EngagementLevelDay.objects.filter(workspace_id=workspace_id, day=day).delete()
        EngagementLevelDay.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["workspace", "day", "level"],
            update_fields=["contacts", "recorded_at"],
        )
    return len(rows)
