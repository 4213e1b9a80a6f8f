"""Booking a meeting from the wizard: the prospect moves to Meeting, the booking is on their
timeline and stops their sequences, both sides get a calendar invitation, and the slot can be
had only once."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core import mail

from automations.models import AutomationEvent
from config.errors import ValidationFailed
from engagement.services import engagement_compute_contact
from outreach.meetings import selectors
from outreach.meetings.services.booking import (
    Invitee,
    SlotTaken,
    meeting_book,
    meeting_cancel,
    meeting_reschedule,
    meeting_settle,
)
from outreach.models import Activity, Meeting, OutreachLog, OutreachSequence, Prospect
from tests.factories import AutomationFactory

# 9:00 and 9:40 on Monday March 9, 2026 in Los Angeles.
NINE = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
AFTERNOON = datetime(2026, 3, 9, 21, 0, tzinfo=UTC)
AVERY = Invitee(
    name="Avery Collins", email="Avery@Stripe.com", time_zone="Australia/Sydney", note="Pricing"
)


@pytest.fixture
def intro(workspace, bob, bob_page):
    # Bookable from now on (no notice): the tests pick their own slots.
    meeting_type = selectors.meeting_types_for(workspace=workspace, user=bob)[0]
    meeting_type.min_notice_minutes = 0
    return meeting_type


def book(bob_page, intro, start, invitee=AVERY, **kwargs):
    return meeting_book(
        page=bob_page, meeting_type=intro, start_at=start, invitee=invitee, **kwargs
    )


def calendars(message) -> list[icalendar.Calendar]:
    return [
        icalendar.Calendar.from_ical(content)
        for name, content, mimetype in message.attachments
        if name.endswith(".ics")
    ]


def test_booking_from_the_wizard_makes_the_prospect_a_meeting_and_stops_the_sequences(
    clock, bob_page, intro, stripe, avery, averys_sequence, link, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(bob_page, intro, NINE, prospect=stripe, wizard_link=link)

    assert (meeting.start_at, meeting.end_at) == (NINE, NINE + timedelta(minutes=30))
    assert meeting.contact == avery
    assert Prospect.objects.get(pk=stripe.pk).status == Prospect.Status.MEETING
    log = OutreachLog.objects.get(prospect=stripe, log_type=OutreachLog.Type.MEETING)
    assert log.subject == "Meeting booked: Intro call: Stripe and Bob Reyes"
    assert log.body == "Pricing"
    assert Activity.objects.filter(contact=avery, kind=Activity.Kind.MEETING_BOOKED).exists()
    averys_sequence.refresh_from_db()
    assert averys_sequence.status == OutreachSequence.Status.STOPPED
    assert averys_sequence.stop_reason == "Booked a meeting"


def test_both_sides_get_an_invitation_with_a_calendar_file_and_a_link_to_change_it(
    clock, bob_page, intro, stripe, avery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(bob_page, intro, NINE, prospect=stripe)

    to_avery, to_bob = sorted(mail.outbox, key=lambda m: m.to[0] != "avery@stripe.com")
    assert to_avery.to == ["avery@stripe.com"] and to_bob.to == ["bob@acme.example"]
    # Each reads the time on their own clock: Tuesday 3:00 in Sydney is Monday 9:00 in LA.
    assert "Tuesday, March 10, 2026, 3:00 am to 3:30 am (Australia/Sydney)" in to_avery.body
    assert "Monday, March 9, 2026, 9:00 am to 9:30 am (America/Los_Angeles)" in to_bob.body
    manage_url = f"http://127.0.0.1:8000/m/{meeting.manage_token}/"
    assert manage_url in to_avery.body and manage_url in to_bob.body
    assert to_avery.from_email.startswith("Acme Sales <")
    for message in (to_avery, to_bob):
        (calendar,) = calendars(message)
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("DTSTART") == NINE
        assert event.decoded("DTEND") == NINE + timedelta(minutes=30)
        assert str(event["ATTENDEE"]) == "mailto:avery@stripe.com"
        assert manage_url in str(event["DESCRIPTION"])


def test_a_taken_slot_is_refused_and_the_next_free_ones_are_offered(
    clock, bob_page, intro, stripe, avery
):
    book(bob_page, intro, NINE, prospect=stripe)
    with pytest.raises(SlotTaken) as refused:
        book(bob_page, intro, NINE, invitee=Invitee("Sam", "sam@plaid.com", "UTC"))

    # 9:30 touches the 10-minute buffer after the 9:00 meeting; 10:00 is the next free time.
    assert refused.value.alternatives[0] == NINE + timedelta(hours=1)
    assert refused.value.status_code == 409
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 3, 9, 15, 0, tzinfo=UTC),  # 8:00 in LA, before the working day
        datetime(2026, 3, 14, 17, 0, tzinfo=UTC),  # a Saturday
        datetime(2026, 3, 9, 16, 10, tzinfo=UTC),  # not on the half hour
        datetime(2026, 3, 9, 13, 0, tzinfo=UTC),  # in the past
        datetime(2026, 4, 30, 16, 0, tzinfo=UTC),  # past the 14 days offered
    ],
)
def test_only_the_slots_the_page_offers_can_be_booked(clock, bob_page, intro, start):
    with pytest.raises(SlotTaken):
        book(bob_page, intro, start)
    assert not Meeting.objects.exists()


def test_minimum_notice_keeps_the_next_hours_free(clock, bob_page, workspace, bob):
    intro = selectors.meeting_types_for(workspace=workspace, user=bob)[0]  # 4 hours' notice
    with pytest.raises(SlotTaken) as refused:
        book(bob_page, intro, NINE)
    assert refused.value.alternatives[0] == datetime(2026, 3, 9, 18, 0, tzinfo=UTC)  # 11:00


def test_what_the_invitee_types_is_checked_field_by_field(clock, bob_page, intro):
    with pytest.raises(ValidationFailed) as refused:
        book(bob_page, intro, NINE, invitee=Invitee(" ", "not an address", "Mars/Olympus"))
    assert set(refused.value.field_errors) == {"name", "email", "time_zone"}


def test_cancelling_frees_the_slot_and_tells_both_sides(
    clock, bob_page, intro, stripe, avery, django_capture_on_commit_callbacks
):
    meeting = book(bob_page, intro, NINE, prospect=stripe)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, by_invitee=True)

    assert meeting.status == Meeting.Status.CANCELLED
    assert NINE in selectors.open_slots(page=bob_page, meeting_type=intro)
    (calendar,) = calendars(mail.outbox[0])
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert event["SEQUENCE"] == 1
    assert len(mail.outbox) == 2
    # And the slot can be booked again.
    assert book(bob_page, intro, NINE).start_at == NINE


def test_moving_a_meeting_updates_the_same_calendar_event(
    clock, bob_page, intro, stripe, avery, django_capture_on_commit_callbacks
):
    meeting = book(bob_page, intro, NINE, prospect=stripe)
    first_uid = calendars_uid(meeting, "booked")
    with django_capture_on_commit_callbacks(execute=True):
        moved = meeting_reschedule(meeting=meeting, start_at=AFTERNOON)

    assert (moved.start_at, moved.sequence) == (AFTERNOON, 1)
    assert NINE in selectors.open_slots(page=bob_page, meeting_type=intro)
    assert AFTERNOON not in selectors.open_slots(page=bob_page, meeting_type=intro)
    (calendar,) = calendars(mail.outbox[0])
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == first_uid
    assert event.decoded("DTSTART") == AFTERNOON
    assert mail.outbox[0].subject.startswith("Moved: ")


def calendars_uid(meeting, kind) -> str:
    from outreach.meetings.invitations import calendar_file

    (event,) = icalendar.Calendar.from_ical(calendar_file(meeting, kind)).walk("VEVENT")
    return str(event["UID"])


def test_a_held_meeting_is_engagement_and_a_no_show_runs_the_automations(
    clock, bob_page, intro, stripe, avery, bob, workspace
):
    AutomationFactory(workspace=workspace, trigger_type="meeting.no_show")
    held = book(bob_page, intro, NINE, prospect=stripe)
    missed = book(bob_page, intro, AFTERNOON, prospect=stripe)
    with pytest.raises(ValidationFailed):
        meeting_settle(meeting=held, outcome="maybe", by=bob)

    clock.shift(timedelta(hours=8))
    meeting_settle(meeting=held, outcome="held", by=bob)
    meeting_settle(meeting=missed, outcome="no_show", by=bob)

    assert Activity.objects.filter(contact=avery, kind=Activity.Kind.MEETING_DONE).count() == 1
    event = AutomationEvent.objects.get(event_type="meeting.no_show")
    assert event.payload["contact"]["email"] == "avery@stripe.com"
    assert event.payload["meeting"]["start_at"].startswith("2026-03-09T21:00")
    subjects = set(OutreachLog.objects.filter(prospect=stripe).values_list("subject", flat=True))
    assert {s.split(":")[0] for s in subjects} >= {"Meeting booked", "Meeting held", "No-show"}


def test_a_booking_runs_the_automations_listening_for_it(
    clock, bob_page, intro, stripe, avery, workspace
):
    AutomationFactory(workspace=workspace, trigger_type="meeting.booked")
    book(bob_page, intro, NINE, prospect=stripe)
    event = AutomationEvent.objects.get(event_type="meeting.booked")
    assert event.payload["prospect"]["name"] == "Stripe"
    assert event.payload["meeting"]["host"] == "Bob Reyes"


def test_a_booked_meeting_makes_the_contact_highly_engaged(clock, bob_page, intro, stripe, avery):
    book(bob_page, intro, NINE, prospect=stripe)
    score = engagement_compute_contact(contact=avery)
    assert score.level == "highly_engaged"
    assert "1 meeting was booked" in score.admin_explanation


def test_a_meeting_can_only_be_settled_once_it_has_started(clock, bob_page, intro, bob):
    meeting = book(bob_page, intro, NINE)
    with pytest.raises(Exception, match="not started"):
        meeting_settle(meeting=meeting, outcome="held", by=bob)
