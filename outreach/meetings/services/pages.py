"""A rep's booking set-up: their working hours and time zone, and the meeting types they offer."""

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from config.errors import Conflict, ValidationFailed
from outreach.meetings import selectors
from outreach.meetings.slots import check_weekly_hours
from outreach.models import BookingPage, MeetingType, Workspace
from outreach.workspaces.services.workspaces import ensure_member

# (field, lowest, highest) of a meeting type's numbers.
MEETING_TYPE_LIMITS = (
    ("duration_minutes", 5, 480),
    ("buffer_minutes", 0, 240),
    ("days_ahead", 1, 90),
    ("min_notice_minutes", 0, 60 * 24 * 30),
)


def booking_page_save(
    *, workspace: Workspace, user: User, time_zone: str, weekly_hours: Any
) -> BookingPage:
    """Set the rep's time zone and working hours (creating their booking page)."""
    ensure_member(workspace=workspace, user=user, field="user_id")
    if not selectors.is_time_zone(time_zone):
        raise ValidationFailed.for_field("time_zone", f"{time_zone!r} is not a known time zone.")
    try:
        hours = check_weekly_hours(weekly_hours)
    except ValueError as error:
        raise ValidationFailed.for_field("weekly_hours", str(error)) from None
    with transaction.atomic():
        page, _ = BookingPage.objects.update_or_create(
            workspace=workspace,
            user=user,
            defaults={"time_zone": time_zone, "weekly_hours": hours},
        )
    return page


def meeting_type_create(*, workspace: Workspace, host: User, **fields: Any) -> MeetingType:
    ensure_member(workspace=workspace, user=host, field="host_id")
    values = _checked({**selectors.DEFAULT_MEETING_TYPE, **fields})
    values["slug"] = slugify(values["name"])[:60] or "meeting"
    meeting_type = MeetingType(workspace=workspace, host=host, **values)
    try:
        with transaction.atomic():
            meeting_type.save()
    except IntegrityError:
        raise Conflict(f"You already offer a meeting type called {values['name']!r}.") from None
    return meeting_type


def meeting_type_update(*, meeting_type: MeetingType, changes: dict[str, Any]) -> MeetingType:
    """Change a meeting type's numbers, description or whether it is offered. Its name (and
    so its address) stays: booking links already sent keep working."""
    allowed = {name for name, _, _ in MEETING_TYPE_LIMITS} | {"description", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    current = {name: getattr(meeting_type, name) for name in allowed}
    values = _checked({**current, **changes, "name": meeting_type.name})
    with transaction.atomic():
        for name in allowed:
            setattr(meeting_type, name, values[name])
        meeting_type.save()
    return meeting_type


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = " ".join(str(values.get("name", "")).split())
    if not name or len(name) > 100:
        errors["name"] = ["A meeting type needs a name of 1 to 100 characters."]
    for field, low, high in MEETING_TYPE_LIMITS:
        value = values.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[field] = [f"Between {low} and {high}."]
    description = str(values.get("description") or "").strip()
    if len(description) > 300:
        errors["description"] = ["300 characters at most."]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    return {
        "name": name,
        "description": description,
        "is_active": bool(values.get("is_active", True)),
        **{field: values[field] for field, _, _ in MEETING_TYPE_LIMITS},
    }
