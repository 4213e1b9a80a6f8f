"""Fixtures of meetings: bob the rep in Los Angeles, and Stripe, his prospect, with a clock
fixed on a Monday morning before the working day starts."""

from datetime import UTC, datetime

import pytest
import time_machine

from outreach.meetings.services.pages import booking_page_save
from outreach.models import Prospect
from tests.factories import (
    ContactFactory,
    OutreachSequenceFactory,
    ProspectFactory,
    WizardLinkFactory,
)

# Monday March 9, 2026, 7:00 in Los Angeles (PDT, the day after the spring change).
MONDAY_7AM_LA = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_7AM_LA, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bob_page(workspace, bob):
    bob.first_name, bob.last_name, bob.email = "Bob", "Reyes", "bob@acme.example"
    bob.save()
    return booking_page_save(
        workspace=workspace,
        user=bob,
        time_zone="America/Los_Angeles",
        weekly_hours={str(day): [["09:00", "17:00"]] for day in range(5)},
    )


@pytest.fixture
def stripe(workspace, bob):
    return ProspectFactory(
        workspace=workspace,
        name="Stripe",
        domain="stripe.com",
        owner=bob,
        status=Prospect.Status.ENGAGED,
    )


@pytest.fixture
def avery(stripe):
    return ContactFactory(
        prospect=stripe, first_name="Avery", last_name="Collins", email="avery@stripe.com"
    )


@pytest.fixture
def averys_sequence(avery):
    return OutreachSequenceFactory(contact=avery)


@pytest.fixture
def link(stripe):
    return WizardLinkFactory(prospect=stripe)
