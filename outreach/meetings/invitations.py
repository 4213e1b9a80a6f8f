"""Meeting invitations: the .ics calendar file and the emails both sides receive."""

import zoneinfo
from dataclasses import dataclass

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from outreach.meetings.selectors import local_time_label
from outreach.models import Meeting

# What each kind of invitation asks of a calendar app (RFC 5546), and how its email opens.
METHODS = {"booked": "REQUEST", "moved": "REQUEST", "cancelled": "CANCEL"}
SUBJECTS = {
    "booked": "Invitation: {title}",
    "moved": "Moved: {title}",
    "cancelled": "Cancelled: {title}",
}


@dataclass(frozen=True)
class Invitation:
    """One email of a meeting: to whom, in which zone they read times, and what it says."""

    to: str
    time_zone: str
    body: str


def manage_url(meeting: Meeting) -> str:
    return settings.SITE_URL + reverse("meetings:manage", args=[meeting.manage_token])


def when(meeting: Meeting, zone: str) -> str:
    """'Tuesday, March 10, 2026, 9:00 am to 9:30 am (America/Los_Angeles)' in the reader's
    zone."""
    tz = zoneinfo.ZoneInfo(zone)
    start, end = meeting.start_at.astimezone(tz), meeting.end_at.astimezone(tz)
    return (
        f"{start:%A, %B} {start.day}, {start.year}, {local_time_label(start)} to "
        f"{local_time_label(end)} ({zone})"
    )


def calendar_file(meeting: Meeting, kind: str) -> bytes:
    """The .ics of the meeting: one VEVENT whose UID stays the same when it moves or is
    cancelled, so calendar apps update the event they already have."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Sales Engagement CRM//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", METHODS[kind])
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}-{meeting.manage_token[:12]}@{_host_name()}")
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.start_at)
    event.add("dtend", meeting.end_at)
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    event.add("description", _description(meeting))
    event.add("url", manage_url(meeting))
    event.add("status", "CANCELLED" if kind == "cancelled" else "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{meeting.host.email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = icalendar.vText(_host_name_of(meeting))
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{meeting.invitee_email}")
    attendee.params["cn"] = icalendar.vText(meeting.invitee_name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def invitations(meeting: Meeting, kind: str) -> list[Invitation]:
    """The invitee's email and the rep's, each with times in its reader's zone."""
    team = meeting.workspace.name
    host = _host_name_of(meeting)
    link = manage_url(meeting)
    guest = (
        f"{meeting.invitee_name} ({meeting.prospect.name})"
        if meeting.prospect
        else (meeting.invitee_name)
    )
    if kind == "cancelled":
        to_invitee = (
            f"Hi {meeting.invitee_name},\n\nYour meeting with {host} at {team} on "
            f"{when(meeting, meeting.invitee_time_zone)} is cancelled.\n\n"
            f"Pick another time whenever it suits you: {_booking_url(meeting)}\n"
        )
        to_host = f"{guest}'s meeting on {when(meeting, _host_zone(meeting))} is cancelled.\n"
    else:
        verb = "is booked" if kind == "booked" else "has moved"
        to_invitee = (
            f"Hi {meeting.invitee_name},\n\nYour meeting with {host} at {team} {verb}:\n"
            f"{when(meeting, meeting.invitee_time_zone)}.\n\n"
            f"The calendar invitation is attached. To cancel or pick another time, no "
            f"sign-in needed: {link}\n\nSee you then,\n{host}, {team}\n"
        )
        note = f"\nTheir note: {meeting.note}\n" if meeting.note else ""
        to_host = (
            f"{guest} <{meeting.invitee_email}> {verb} a meeting with you:\n"
            f"{when(meeting, _host_zone(meeting))}.\n{note}\n"
            f"Their link to cancel or move it: {link}\n"
        )
    messages = [Invitation(meeting.invitee_email, meeting.invitee_time_zone, to_invitee)]
    if meeting.host.email:
        messages.append(Invitation(meeting.host.email, _host_zone(meeting), to_host))
    return messages


def send_invitations(meeting: Meeting, kind: str) -> int:
    """Email both sides, each with the .ics attached; returns how many were sent."""
    ics = calendar_file(meeting, kind)
    subject = SUBJECTS[kind].format(title=meeting.title)
    sent = 0
    for invitation in invitations(meeting, kind):
        email = EmailMessage(
            subject=subject,
            body=invitation.body,
            from_email=f"{meeting.workspace.name} <{_from_address()}>",
            to=[invitation.to],
            reply_to=[meeting.host.email] if meeting.host.email else None,
        )
        email.attach("invite.ics", ics, f"text/calendar; method={METHODS[kind]}; charset=utf-8")
        sent += email.send()
    return sent


def _description(meeting: Meeting) -> str:
    lines = [f"{meeting.title}, with {_host_name_of(meeting)} of {meeting.workspace.name}."]
    if meeting.note:
        lines.append(f"Note: {meeting.note}")
    lines.append(f"Cancel or pick another time: {manage_url(meeting)}")
    return "\n".join(lines)


def _booking_url(meeting: Meeting) -> str:
    if meeting.wizard_link is not None and meeting.wizard_link.is_active:
        return settings.SITE_URL + reverse("wizard:wizard_book", args=[meeting.wizard_link.token])
    return manage_url(meeting)


def _host_zone(meeting: Meeting) -> str:
    page = meeting.host.booking_pages.filter(workspace=meeting.workspace).first()
    return page.time_zone if page is not None else meeting.workspace.time_zone


def _host_name_of(meeting: Meeting) -> str:
    return meeting.host.get_full_name() or meeting.host.get_username()


def _from_address() -> str:
    # DEFAULT_FROM_EMAIL may carry a display name ("CRM <crm@host>"): keep only the address.
    address = settings.DEFAULT_FROM_EMAIL
    return address.rsplit("<", 1)[-1].rstrip(">").strip() if "<" in address else address


def _host_name() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
