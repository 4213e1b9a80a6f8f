"""Twenty prospects pressing "Book" for the same slot at the same moment, through the public
pages on PostgreSQL: one meeting, and nineteen clear answers that the time was taken, each
with the next free times to pick instead."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest

from outreach.meetings import selectors
from outreach.models import Meeting
from tests.factories import WizardLinkFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 20


def test_twenty_concurrent_bookings_of_one_slot_make_one_meeting(
    live_server, workspace, bob, bob_page, stripe, avery
):
    link = WizardLinkFactory(prospect=stripe)
    intro = selectors.meeting_types_for(workspace=workspace, user=bob)[0]
    slot = selectors.open_slots(page=bob_page, meeting_type=intro, limit=1)[0]
    form_path = f"/w/{link.token}/book/?" + urlencode(
        {"start": slot.strftime("%Y-%m-%dT%H:%M:%SZ"), "tz": "Australia/Sydney"}
    )
    barrier = threading.Barrier(CLIENTS)

    def book(n: int) -> httpx.Response:
        with httpx.Client(base_url=live_server.url, timeout=60) as client:
            form = client.get(form_path)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            barrier.wait(timeout=30)
            return client.post(
                form_path,
                data={
                    "csrfmiddlewaretoken": token,
                    "name": f"Person {n}",
                    "email": f"person{n}@stripe.com",
                    "note": "",
                    "start": slot.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "tz": "Australia/Sydney",
                },
                headers={"Referer": live_server.url + form_path},
            )

    with ThreadPoolExecutor(CLIENTS) as pool:
        responses = list(pool.map(book, range(CLIENTS)))

    booked = [r for r in responses if r.status_code == 302]
    taken = [r for r in responses if r.status_code == 409]
    assert (len(booked), len(taken)) == (1, CLIENTS - 1)
    assert Meeting.objects.filter(start_at=slot, status="booked").count() == 1
    for answer in taken:
        assert "That time was just taken. Here are the next free times." in answer.text
        # Alternatives, in the zone the prospect picked, each a link to book it instead.
        assert answer.text.count(f"/w/{link.token}/book/?start=") >= 3
        assert "tz=Australia%2FSydney" in answer.text
