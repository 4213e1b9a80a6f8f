"""Template filters for automation pages: delays in words, payloads shown briefly."""

import json

from django import template

register = template.Library()

UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


@register.filter
def duration_words(seconds: int | None) -> str:
    """7200 -> '2 hours', 90000 -> '1 day 1 hour' (the two largest units)."""
    seconds = int(seconds or 0)
    parts = []
    for name, size in UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return " ".join(parts[:2]) or "0 seconds"


@register.filter
def compact_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
