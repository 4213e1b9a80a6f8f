"""Booking, moving, cancelling and settling meetings.

No slot is ever booked twice: each booking first takes the rep's booking-page row (a
conditional UPDATE, which is a row lock on PostgreSQL and the write lock on SQLite), so one
rep's bookings run one at a time and each sees the one before it; then it checks the slot is
still free, and the unique constraint on (host, start) of live meetings refuses whatever got
past both. The loser is told the slot was taken and offered the next free ones.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from outreach import events
from outreach.crm.services.prospects import normalize_email, prospect_set_status
from outreach.crm.services.tasks import activity_record, outreach_log_record
from outreach.meetings import selectors
from outreach.meetings.tasks import enqueue_invitations
from outreach.models import (
    Activity,
    BookingPage,
    Contact,
    Meeting,
    MeetingType,
    OutreachLog,
    Prospect,
    WizardLink,
)

# A booking moves these prospects to MEETING; a won one stays won.
BOOKABLE_STATUSES = (
    Prospect.Status.NEW,
    Prospect.Status.CONTACTED,
    Prospect.Status.ENGAGED,
    Prospect.Status.LOST,
)
ALTERNATIVES_OFFERED = 6
MAX_NOTE_LENGTH = 2000


class SlotTaken(Conflict):
    """The slot is gone (booked by someone else, or no longer offered); `alternatives` are the
    next free ones."""

    def __init__(self, message: str, *, alternatives: list[datetime]):
        super().__init__(message)
        self.alternatives = alternatives

    def as_payload(self) -> dict:
        return {
            **super().as_payload(),
            "alternatives": [slot.isoformat().replace("+00:00", "Z") for slot in self.alternatives],
        }


@dataclass(frozen=True)
class Invitee:
    """Who books, as they typed it on the booking form."""

    name: str
    email: str
    time_zone: str
    note: str = ""


def check_invitee(invitee: Invitee) -> Invitee:
    """The invitee cleaned, or ValidationFailed naming each bad field."""
    errors: dict[str, list[str]] = {}
    name = " ".join(invitee.name.split())
    if not name:
        errors["name"] = ["Tell us your name."]
    elif len(name) > 200:
        errors["name"] = ["Your name is too long (200 characters at most)."]
    email = normalize_email(invitee.email)
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter an email address we can send the invitation to."]
    if not selectors.is_time_zone(invitee.time_zone):
        errors["time_zone"] = ["Pick a time zone from the list."]
    note = invitee.note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [f"Keep the note under {MAX_NOTE_LENGTH} characters."]
    if "\x00" in name + email + note:
        errors["note"] = ["Text may not contain NUL characters."]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    return Invitee(name=name, email=email, time_zone=invitee.time_zone, note=note)


def meeting_book(
    *,
    page: BookingPage,
    meeting_type: MeetingType,
    start_at: datetime,
    invitee: Invitee,
    prospect: Prospect | None = None,
    wizard_link: WizardLink | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Book the slot for the invitee, or raise SlotTaken with the next free slots.

    With a prospect (a booking from their wizard), the prospect moves to MEETING, the booking
    is logged on its timeline and counts as engagement, and the CRM announces it (sequences
    stop, automations hear `meeting.booked`). Both sides get an invitation once committed.
    """
    invitee = check_invitee(invitee)
    now = now or timezone.now()
    start_at = start_at.astimezone(zoneinfo.ZoneInfo("UTC"))
    with transaction.atomic():
        page = _locked_page(page)
        meeting_type = _saved_type(meeting_type)
        _check_free(page, meeting_type, start_at, now)
        contact = _contact_for(prospect, invitee) if prospect is not None else None
        meeting = Meeting(
            workspace=page.workspace,
            host=page.user,
            meeting_type=meeting_type,
            prospect=prospect,
            contact=contact,
            wizard_link=wizard_link,
            title=_title(meeting_type, page, prospect, invitee),
            start_at=start_at,
            end_at=start_at + timedelta(minutes=meeting_type.duration_minutes),
            invitee_name=invitee.name,
            invitee_email=invitee.email,
            invitee_time_zone=invitee.time_zone,
            note=invitee.note,
        )
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError:
            raise _taken(page, meeting_type, start_at, now) from None
        if prospect is not None:
            _record_on_the_prospect(meeting, prospect, contact, now)
        enqueue_invitations(meeting_id=meeting.pk, kind="booked")
    return meeting


def meeting_reschedule(
    *, meeting: Meeting, start_at: datetime, now: datetime | None = None
) -> Meeting:
    """Move a live meeting to another free slot of its type; the invitation is updated."""
    now = now or timezone.now()
    start_at = start_at.astimezone(zoneinfo.ZoneInfo("UTC"))
    with transaction.atomic():
        page = _locked_page(_page_of(meeting))
        meeting = _locked_live(meeting)
        meeting_type = _type_of(meeting)
        _check_free(page, meeting_type, start_at, now, excluding=meeting.pk)
        length = meeting.end_at - meeting.start_at
        meeting.start_at, meeting.end_at = start_at, start_at + length
        meeting.sequence = F("sequence") + 1
        try:
            with transaction.atomic():
                meeting.save(update_fields=["start_at", "end_at", "sequence", "updated_at"])
        except IntegrityError:
            raise _taken(page, meeting_type, start_at, now, excluding=meeting.pk) from None
        meeting.refresh_from_db(fields=["sequence"])
        _log(meeting, OutreachLog.Status.RECEIVED, f"Meeting moved: {meeting.title}")
        enqueue_invitations(meeting_id=meeting.pk, kind="moved")
    return meeting


def meeting_cancel(*, meeting: Meeting, by_invitee: bool, reason: str = "") -> Meeting:
    """Cancel a live meeting (its slot is free again at once); cancelling twice is a no-op."""
    reason = reason.strip()[:500]
    with transaction.atomic():
        cancelled = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.BOOKED).update(
            status=Meeting.Status.CANCELLED,
            cancelled_at=timezone.now(),
            sequence=F("sequence") + 1,
        )
        meeting.refresh_from_db()
        if not cancelled:
            return meeting
        who = meeting.invitee_name if by_invitee else "the rep"
        _log(
            meeting,
            OutreachLog.Status.SKIPPED,
            f"Meeting cancelled by {who}: {meeting.title}",
            body=reason,
        )
        enqueue_invitations(meeting_id=meeting.pk, kind="cancelled")
    return meeting


def meeting_settle(*, meeting: Meeting, outcome: str, by: User | None) -> Meeting:
    """Mark a booked meeting held or a no-show once it has started.

    Held counts as the contact's engagement (a meeting done); a no-show is announced so
    automations can follow up (`meeting.no_show`). Settling again with the same outcome is a
    no-op; a meeting can change from one outcome to the other only by the rep's hand here.
    """
    if outcome not in (Meeting.Status.HELD, Meeting.Status.NO_SHOW):
        raise ValidationFailed.for_field("outcome", "The outcome is 'held' or 'no_show'.")
    if meeting.start_at > timezone.now():
        raise Conflict("This meeting has not started yet.")
    with transaction.atomic():
        settled = Meeting.objects.filter(
            pk=meeting.pk, status__in=(Meeting.Status.BOOKED, _other(outcome))
        ).update(status=outcome, outcome_at=timezone.now())
        meeting.refresh_from_db()
        if not settled:
            if meeting.status != outcome:
                raise Conflict("A cancelled meeting cannot be marked held or a no-show.")
            return meeting
        held = outcome == Meeting.Status.HELD
        _log(
            meeting,
            OutreachLog.Status.DONE if held else OutreachLog.Status.FAILED,
            f"{'Meeting held' if held else 'No-show'}: {meeting.title}",
            by=by,
        )
        if meeting.prospect is not None:
            if held:
                activity_record(
                    workspace=meeting.workspace,
                    prospect=meeting.prospect,
                    contact=meeting.contact,
                    kind=Activity.Kind.MEETING_DONE,
                    metadata={"meetingId": meeting.pk},
                )
            else:
                events.announce(events.MeetingNoShow(meeting))
    return meeting


def _other(outcome: str) -> str:
    return Meeting.Status.NO_SHOW if outcome == Meeting.Status.HELD else Meeting.Status.HELD


def _locked_page(page: BookingPage) -> BookingPage:
    """The rep's booking page, saved if it was the unsaved default, and locked until commit."""
    if page.pk is None:
        # Two first bookings at once: the unique (workspace, user) lets one create it.
        page, _ = BookingPage.objects.get_or_create(
            workspace=page.workspace,
            user=page.user,
            defaults={"time_zone": page.time_zone, "weekly_hours": page.weekly_hours},
        )
    BookingPage.objects.filter(pk=page.pk).update(bookings=F("bookings") + 1)
    return BookingPage.objects.select_related("workspace", "user").get(pk=page.pk)


def _saved_type(meeting_type: MeetingType) -> MeetingType:
    if meeting_type.pk is not None:
        return meeting_type
    # The default type becomes a real one the rep can then edit.
    saved, _ = MeetingType.objects.get_or_create(
        host=meeting_type.host,
        slug=meeting_type.slug,
        defaults={
            field: getattr(meeting_type, field)
            for field in (
                "workspace",
                "name",
                "duration_minutes",
                "buffer_minutes",
                "days_ahead",
                "min_notice_minutes",
                "description",
            )
        },
    )
    return saved


def _page_of(meeting: Meeting) -> BookingPage:
    return selectors.booking_page_for(workspace=meeting.workspace, user=meeting.host)


def _type_of(meeting: Meeting) -> MeetingType:
    if meeting.meeting_type is not None:
        return meeting.meeting_type
    fallback = selectors.meeting_types_for(workspace=meeting.workspace, user=meeting.host)[0]
    fallback.duration_minutes = meeting.duration_minutes
    return fallback


def _locked_live(meeting: Meeting) -> Meeting:
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("workspace", "host", "meeting_type", "prospect", "contact")
        .get(pk=meeting.pk)
    )
    if not locked.is_live:
        raise Conflict(f"This meeting is {locked.get_status_display().lower()}: it cannot move.")
    return locked


def _check_free(
    page: BookingPage,
    meeting_type: MeetingType,
    start_at: datetime,
    now: datetime,
    excluding: int | None = None,
) -> None:
    # The slot must be one the page offers right now: inside working hours, with notice,
    # inside the booking window, and clear of every live meeting and its buffer.
    offered = selectors.open_slots(
        page=page,
        meeting_type=meeting_type,
        now=now,
        after=start_at,
        limit=1,
        excluding=excluding,
    )
    if offered != [start_at]:
        raise _taken(page, meeting_type, start_at, now, excluding=excluding)


def _taken(
    page: BookingPage,
    meeting_type: MeetingType,
    start_at: datetime,
    now: datetime,
    excluding: int | None = None,
) -> SlotTaken:
    alternatives = selectors.open_slots(
        page=page,
        meeting_type=meeting_type,
        now=now,
        after=min(start_at, now + timedelta(days=meeting_type.days_ahead)),
        limit=ALTERNATIVES_OFFERED,
        excluding=excluding,
    )
    return SlotTaken(
        "That time was just taken. Here are the next free times.", alternatives=alternatives
    )


def _contact_for(prospect: Prospect, invitee: Invitee) -> Contact | None:
    """The prospect's contact with the invitee's address; a new contact of the prospect when
    nobody in the workspace has it; none when it belongs to someone at another company."""
    same = Contact.objects.filter(workspace=prospect.workspace, email__iexact=invitee.email)
    existing = same.first()
    if existing is not None:
        return existing if existing.prospect_id == prospect.pk else None
    first, _, last = invitee.name.partition(" ")
    contact = Contact(
        workspace=prospect.workspace,
        prospect=prospect,
        first_name=first[:100],
        last_name=last[:100],
        email=invitee.email,
        time_zone=invitee.time_zone,
    )
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # Someone added the address a moment ago: use theirs if it is this company's.
        return _contact_for(prospect, invitee) if same.exists() else None
    events.announce(events.ContactCreated(contact))
    return contact


def _record_on_the_prospect(
    meeting: Meeting, prospect: Prospect, contact: Contact | None, now: datetime
) -> None:
    prospect_set_status(
        prospect=prospect, status=Prospect.Status.MEETING, only_from=BOOKABLE_STATUSES
    )
    outreach_log_record(
        workspace=meeting.workspace,
        prospect=prospect,
        contact=contact,
        log_type=OutreachLog.Type.MEETING,
        channel=OutreachLog.Channel.CALL,
        status=OutreachLog.Status.RECEIVED,
        subject=f"Meeting booked: {meeting.title}",
        body=meeting.note,
        metadata={"meetingId": meeting.pk, "startAt": _iso(meeting.start_at)},
    )
    activity_record(
        workspace=meeting.workspace,
        prospect=prospect,
        contact=contact,
        kind=Activity.Kind.MEETING_BOOKED,
        occurred_at=now,
        metadata={"meetingId": meeting.pk},
    )
    events.announce(events.MeetingBooked(meeting))


def _log(
    meeting: Meeting, status: str, subject: str, *, body: str = "", by: User | None = None
) -> None:
    """Put the change on the prospect's timeline (a booking from a stranger has none)."""
    if meeting.prospect is None:
        return
    outreach_log_record(
        workspace=meeting.workspace,
        prospect=meeting.prospect,
        contact=meeting.contact,
        log_type=OutreachLog.Type.MEETING,
        channel=OutreachLog.Channel.CALL,
        status=status,
        subject=subject[:300],
        body=body,
        metadata={"meetingId": meeting.pk, "startAt": _iso(meeting.start_at)},
        by=by,
    )


def _title(
    meeting_type: MeetingType, page: BookingPage, prospect: Prospect | None, invitee: Invitee
) -> str:
    host = page.user.get_full_name() or page.user.get_username()
    guest = prospect.name if prospect is not None else invitee.name
    return f"{meeting_type.name}: {guest} and {host}"[:200]


def _iso(moment: datetime) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")
