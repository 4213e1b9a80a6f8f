"""What the runner costs per event on its hot path: a batch of events that each start a
one-action run is dispatched a few events to a transaction, and the runs' database actions
share one, so each run costs its own write and a fraction of a few shared queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from automations import runner
from automations.models import AutomationEvent, AutomationExecution, TriggerType
from outreach.crm.services.tags import tag_assign
from outreach.models import OutreachLog
from tests.factories import ContactFactory

EVENTS = 20
# Per run: its task written (1). A group of as many events as the workspace has run slots (5)
# shares one dispatch transaction (7 queries) and one transaction for its runs (6: the
# workspace's lock, the group's contacts read, one conditional UPDATE that ends the runs, one
# INSERT of their log rows, and the transaction's own two).
QUERIES_PER_RUN = 1 + 13 / 5


def test_a_batch_of_tag_events_costs_a_few_queries_per_run(automation, hot, stripe, alice):
    automation(
        TriggerType.TAG_ASSIGNED,
        trigger_config={"tag_id": hot.pk},
        actions=[{"type": "create_task", "params": {"subject": "Call {{contact.first_name}}"}}],
    )
    contacts = [ContactFactory(prospect=stripe) for _ in range(EVENTS)]
    for contact in contacts:
        tag_assign(target=contact, tag=hot)
    events = list(AutomationEvent.objects.order_by("pk").values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as ctx:
        assert runner.events_process(event_ids=events, budget_seconds=60) == EVENTS

    assert len(ctx.captured_queries) <= EVENTS * QUERIES_PER_RUN + 3  # the batch's own reads
    assert AutomationExecution.objects.filter(status="completed").count() == EVENTS
    # Each task is the prospect owner's, without a query to load the owner.
    assert set(OutreachLog.objects.values_list("contact_id", "assignee")) == {
        (contact.pk, alice.pk) for contact in contacts
    }
