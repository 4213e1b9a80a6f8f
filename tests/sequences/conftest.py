"""Fixtures for sequence tests: a workspace open around the clock unless a test says otherwise,
and a contact of bob's prospect."""

from datetime import time

import pytest

from tests.factories import ContactFactory, ProspectFactory


@pytest.fixture
def always_open(workspace):
    """Business hours that never get in the way, for tests about something else."""
    workspace.business_days = [0, 1, 2, 3, 4, 5, 6]
    workspace.business_day_start = time(0, 0)
    workspace.business_day_end = time(23, 59, 59)
    workspace.save()
    return workspace


@pytest.fixture
def prospect(workspace, bob):
    return ProspectFactory(workspace=workspace, owner=bob, name="Stripe", domain="stripe.com")


@pytest.fixture
def pat(prospect):
    return ContactFactory(
        prospect=prospect, first_name="Pat", last_name="Lee", email="pat@stripe.com"
    )
