"""Template helpers for engagement levels and signals."""

from datetime import datetime

from django import template
from django.utils.html import format_html

from engagement.models import EngagementLevel
from engagement.signals import KIND_NOUNS
from outreach.models import Activity

register = template.Library()

INTENT_LABELS = {
    "interested": "interested",
    "question": "a question",
    "referral": "a referral",
    "untriaged": "not triaged yet",
    "not_interested": "not interested",
    "unsubscribe": "unsubscribe",
    "out_of_office": "out of office",
    "unclear": "needing a person to read",
}


@register.filter
def level_badge(level: str) -> str:
    """A coloured badge for a level value; nothing for anything else."""
    if level not in EngagementLevel.values:
        return ""
    return format_html(
        '<span class="badge level level-{}">{}</span>', level, EngagementLevel(level).label
    )


@register.filter
def kind_label(kind: str) -> str:
    return Activity.Kind(kind).label if kind in Activity.Kind.values else kind


@register.filter
def intent_label(intent: str) -> str:
    return INTENT_LABELS.get(intent, intent.replace("_", " "))


@register.filter
def iso_datetime(value: str | None) -> datetime | None:
    """A stored ISO timestamp as a datetime, for the `date` filter."""
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@register.filter
def signals_summary(signals: dict) -> str:
    """One line for a list: how many events and of what, or how long it has been quiet."""
    events = signals.get("events_in_window", 0)
    window = signals.get("window_days", 90)
    if events:
        kinds = sorted(signals.get("events_by_kind", {}).items(), key=lambda kv: (-kv[1], kv[0]))
        parts = [f"{n} {KIND_NOUNS[kind][n != 1]}" for kind, n in kinds[:3] if kind in KIND_NOUNS]
        more = " …" if len(kinds) > 3 else ""
        noun = "event" if events == 1 else "events"
        return f"{events} {noun} in {window} days: {', '.join(parts)}{more}"
    last = iso_datetime(signals.get("last_activity_at"))
    if last:
        return f"Nothing in {window} days · last engaged {_day(last)}"
    added = iso_datetime(signals.get("contact_added_at"))
    return f"No engagement yet · added {_day(added)}" if added else "No engagement yet"


@register.filter
def scorer_label(model_version: str) -> str:
    if model_version.startswith("rules"):
        return f"the workspace's thresholds ({model_version})"
    return f"Claude ({model_version})"


def _day(value: datetime) -> str:
    return f"{value:%b} {value.day}, {value.year}"
