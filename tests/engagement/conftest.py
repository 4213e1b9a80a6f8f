"""Helpers for engagement tests: a fixed clock, contacts added some days ago, and activity
some days before the start of the scoring day."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from engagement import services
from engagement.models import MemberEngagement
from engagement.providers.rules import RulesEngagementProvider
from outreach.models import Activity, Contact
from tests.factories import ActivityFactory, ContactFactory, ProspectFactory

# Midday, so "n days ago" counted from the start of the day never falls on the boundary by
# accident.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
DAY_START = datetime(2026, 6, 15, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    """That many days before the start of the scoring day."""
    return DAY_START - timedelta(days=days)


def contact_added(workspace, *, days: float, prospect=None, **fields) -> Contact:
    prospect = prospect or ProspectFactory(workspace=workspace)
    contact = ContactFactory(prospect=prospect, **fields)
    Contact.objects.filter(pk=contact.pk).update(
        created_at=days_ago(days), updated_at=days_ago(days)
    )
    contact.refresh_from_db()
    return contact


def activity(contact, kind: str, *, days: float, **metadata) -> Activity:
    return ActivityFactory(
        contact=contact, kind=kind, occurred_at=days_ago(days), metadata=metadata
    )


def company_activity(prospect, kind: str, *, days: float, **metadata) -> Activity:
    return ActivityFactory(
        contact=None,
        prospect=prospect,
        workspace=prospect.workspace,
        kind=kind,
        occurred_at=days_ago(days),
        metadata=metadata,
    )


def score(workspace, *, now: datetime = NOW, provider=None) -> services.ComputeReport:
    return services.engagement_compute_workspace(
        workspace=workspace, provider=provider or RulesEngagementProvider(), now=now
    )


def engagement_of(contact) -> MemberEngagement:
    return MemberEngagement.objects.get(contact=contact)


@pytest.fixture(autouse=True)
def scoring_day():
    """Every engagement test runs on the same day, whatever the calendar says."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def added_long_ago(workspace):
    """A contact added a year ago, so newness never decides its level."""
    return contact_added(workspace, days=365, first_name="Avery", last_name="Collins")
