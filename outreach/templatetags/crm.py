"""Template helpers of the CRM pages: call outcomes by name, and how long a deal has waited."""

from datetime import datetime

from django import template
from django.utils import timezone

from outreach.models import CallOutcome

register = template.Library()


@register.filter
def call_outcome_label(value: str) -> str:
    return CallOutcome(value).label if value in CallOutcome.values else value


@register.filter
def days_since(moment: datetime | None) -> str:
    """'under a day', '1 day', '12 days': how long ago, in whole days (a deal in its stage)."""
    if moment is None:
        return ""
    days = (timezone.now() - moment).days
    if days < 1:
        return "under a day"
    return f"{days} day{'s' if days != 1 else ''}"
