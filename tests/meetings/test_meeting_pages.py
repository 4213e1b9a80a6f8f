"""The meeting pages: a rep's public booking page, the invitee's link to move or cancel, the
wizard's slot list in the zone asked for, and the rep's meetings, hours and outcomes."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.core import mail
from django.utils import timezone

from outreach.models import BookingPage, Meeting, MeetingType
from tests.factories import ContactFactory, MeetingFactory, ProspectFactory, WizardLinkFactory

NINE_LA = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
ELEVEN_LA = datetime(2026, 3, 9, 18, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_wizard_lists_the_reps_times_in_the_zone_the_prospect_picks(
    clock, bob_page, link, prospect_client
):
    sydney = prospect_client.get(f"/w/{link.token}/slots/", {"tz": "Australia/Sydney"})
    la = prospect_client.get(f"/w/{link.token}/slots/", {"tz": "America/Los_Angeles"})

    # 11:00 in LA (the first with four hours' notice) is 5:00 the next morning in Sydney.
    assert "Tuesday, March 10" in sydney.content.decode()
    assert "5:00 am" in sydney.content.decode()
    assert "Monday, March 9" in la.content.decode() and "11:00 am" in la.content.decode()
    assert f"start={iso(ELEVEN_LA).replace(':', '%3A')}" in la.content.decode()
    assert la["Cache-Control"] == "private, no-store"


def test_an_unknown_zone_falls_back_to_the_contacts_own(clock, bob_page, link, avery, client):
    avery.time_zone = "Europe/Paris"
    avery.save()
    page = client.get(f"/w/{link.token}/4/", {"tz": "Mars/Olympus"}).content.decode()
    assert '<option value="Europe/Paris" selected>' in page


def test_a_prospect_nobody_owns_is_asked_to_reply_instead(clock, workspace, client):
    orphan = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace, owner=None))
    page = client.get(f"/w/{orphan.token}/4/").content.decode()
    assert "slot-picker" not in page
    assert "Reply to the message that brought you here" in page


def test_booking_from_the_wizard_leads_to_the_meeting_page(
    clock, bob_page, link, stripe, client, django_capture_on_commit_callbacks
):
    query = urlencode({"start": iso(ELEVEN_LA), "tz": "Australia/Sydney"})
    form = client.get(f"/w/{link.token}/book/?{query}")
    assert "Tuesday, March 10, 5:00 am (30 minutes, Australia/Sydney)" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(
            f"/w/{link.token}/book/?{query}",
            {
                "name": "Dana Wu",
                "email": "dana@stripe.com",
                "start": iso(ELEVEN_LA),
                "tz": "Australia/Sydney",
            },
        )
    meeting = Meeting.objects.get()
    assert booked["Location"] == f"/m/{meeting.manage_token}/?booked=1"
    assert meeting.wizard_link == link and meeting.prospect == stripe
    page = client.get(booked["Location"]).content.decode()
    assert "See you then, Dana Wu" in page
    assert "Tuesday, March 10, 2026, 5:00 am to 5:30 am (Australia/Sydney)" in page
    assert len(mail.outbox) == 2


def test_a_form_with_mistakes_is_shown_again_with_them(clock, bob_page, link, client):
    query = urlencode({"start": iso(ELEVEN_LA), "tz": "UTC"})
    answer = client.post(
        f"/w/{link.token}/book/?{query}",
        {"name": "", "email": "nope", "start": iso(ELEVEN_LA), "tz": "UTC"},
    )
    assert answer.status_code == 422
    assert not Meeting.objects.exists()
    assert "field-error" in answer.content.decode()


def test_a_booking_address_without_a_time_goes_back_to_the_times(clock, bob_page, link, client):
    answer = client.get(f"/w/{link.token}/book/?start=yesterday")
    assert answer["Location"] == f"/w/{link.token}/4/"


def test_the_invitee_moves_the_meeting_from_their_link(
    clock, bob_page, stripe, avery, bob, workspace, client
):
    meeting = MeetingFactory(
        contact=avery,
        host=bob,
        workspace=workspace,
        start_at=NINE_LA + timedelta(days=1),
        end_at=NINE_LA + timedelta(days=1, minutes=30),
        invitee_time_zone="America/Los_Angeles",
    )
    slots = client.get(f"/m/{meeting.manage_token}/reschedule/").content.decode()
    assert "11:00 am" in slots
    moved = client.post(
        f"/m/{meeting.manage_token}/reschedule/", {"start": iso(ELEVEN_LA), "tz": "UTC"}
    )
    assert moved["Location"] == f"/m/{meeting.manage_token}/"
    meeting.refresh_from_db()
    assert meeting.start_at == ELEVEN_LA


def test_a_wrong_meeting_link_is_not_found(client, db):
    assert client.get("/m/nothing-here/").status_code == 404
    assert client.post("/m/nothing-here/cancel/").status_code == 404


def test_a_reps_public_page_books_without_a_prospect(clock, bob_page, client):
    assert client.get(f"/book/{bob_page.slug}/").status_code == 302  # one type: straight to it
    times = client.get(f"/book/{bob_page.slug}/intro-call/", {"tz": "Europe/London"})
    assert "Intro call with Bob Reyes" in times.content.decode()
    query = urlencode({"start": iso(ELEVEN_LA), "tz": "Europe/London"})
    booked = client.post(
        f"/book/{bob_page.slug}/intro-call/confirm/?{query}",
        {"name": "Sam", "email": "sam@example.com", "start": iso(ELEVEN_LA), "tz": "Europe/London"},
    )
    assert booked.status_code == 302
    assert Meeting.objects.get().prospect is None
    assert client.get("/book/no-such-page/").status_code == 404


def test_a_rep_sets_their_hours_and_a_meeting_type(bob_client, bob, workspace):
    answer = bob_client.post(
        "/meetings/settings/",
        {
            "form": "hours",
            "time_zone": "Europe/Berlin",
            "on_0": "on",
            "start_0": "08:00",
            "end_0": "12:00",
            **{f"start_{d}": "09:00" for d in range(1, 7)},
            **{f"end_{d}": "17:00" for d in range(1, 7)},
        },
    )
    assert answer.status_code == 302
    page = BookingPage.objects.get(user=bob)
    assert (page.time_zone, page.weekly_hours) == ("Europe/Berlin", {"0": [["08:00", "12:00"]]})

    bob_client.post(
        "/meetings/settings/",
        {
            "form": "type",
            "name": "Demo",
            "duration_minutes": 45,
            "buffer_minutes": 15,
            "days_ahead": 21,
            "min_notice_minutes": 60,
        },
    )
    assert MeetingType.objects.get(host=bob).slug == "demo"
    assert "Demo" in bob_client.get("/meetings/settings/").content.decode()


def test_a_rep_marks_a_past_meeting_held_and_cannot_touch_another_workspaces(
    bob_client, bob, workspace, other_workspace, avery, stripe
):
    past = timezone.now() - timedelta(hours=2)
    mine = MeetingFactory(contact=avery, host=bob, start_at=past, end_at=past + timedelta(hours=1))
    theirs = MeetingFactory(
        contact=ContactFactory(prospect=ProspectFactory(workspace=other_workspace)),
        start_at=past,
        end_at=past + timedelta(hours=1),
    )
    listing = bob_client.get("/meetings/").content.decode()
    assert "Held or no-show?" in listing and "Stripe" in listing

    assert bob_client.post(f"/meetings/{mine.pk}/outcome/", {"outcome": "held"}).status_code == 302
    assert (
        bob_client.post(f"/meetings/{theirs.pk}/outcome/", {"outcome": "held"}).status_code == 404
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("held", "booked")


def test_the_prospect_page_shows_its_meetings(bob_client, bob, avery, stripe):
    MeetingFactory(contact=avery, host=bob, title="Intro call: Stripe and Bob")
    page = bob_client.get(f"/prospects/{stripe.pk}/").content.decode()
    assert 'id="prospect-meetings"' in page and "Intro call: Stripe and Bob" in page
