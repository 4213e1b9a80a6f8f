"""Two computations of the same workspace at once (a late daily run meeting a manual one)
leave exactly one score per contact and no errors."""

import threading

import pytest
from django.db import connection

from engagement.models import MemberEngagement
from engagement.providers.rules import RulesEngagementProvider
from engagement.services import engagement_compute_workspace
from outreach.models import Activity
from tests.engagement.conftest import NOW, activity, contact_added

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_runs_at_once_leave_one_score_per_contact(workspace):
    contacts = [contact_added(workspace, days=365) for _ in range(40)]
    for contact in contacts[::2]:
        activity(contact, Activity.Kind.CALL_DONE, days=3)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait(timeout=10)
            engagement_compute_workspace(
                workspace=workspace, provider=RulesEngagementProvider(), now=NOW, batch_size=7
            )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert MemberEngagement.objects.filter(workspace=workspace).count() == 40
    assert MemberEngagement.objects.filter(workspace=workspace, level="moderate").count() == 20
