"""Under real concurrency (PostgreSQL): the same message delivered twice at once is stored once,
and a triage applied twice at once acts once."""

import threading
from unittest.mock import ANY

import pytest
from django.db import connection

from outreach.models import Reply
from outreach.replies.inbound.message import from_fields
from outreach.replies.services.intake import reply_receive
from outreach.replies.services.triage import apply_reply_triage
from tests.factories import ContactFactory, ProspectFactory, ReplyFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(work, times: int = 2) -> list:
    barrier = threading.Barrier(times)
    results: list = []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as exc:  # collected for the assertion below, not swallowed
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_one_message_delivered_twice_at_once_is_stored_once(workspace):
    ContactFactory(prospect=ProspectFactory(workspace=workspace), email="jane@n.example")

    def deliver():
        message = from_fields(
            message_id="<same@n.example>", from_email="jane@n.example", text="Interested!"
        )
        return reply_receive(workspace=workspace, message=message, source="api")

    receipts = run_together(deliver, times=4)

    assert all(not isinstance(receipt, Exception) for receipt in receipts), receipts
    assert sorted(receipt.created for receipt in receipts) == [False, False, False, True]
    assert len({receipt.reply.pk for receipt in receipts}) == 1
    assert Reply.objects.count() == 1


def test_a_triage_applied_twice_at_once_asks_for_one_call_task(workspace, reply_effects):
    contact = ContactFactory(prospect=ProspectFactory(workspace=workspace))
    reply = ReplyFactory(contact=contact)

    outcomes = run_together(
        lambda: apply_reply_triage(reply=reply, intent="interested", by=None), times=3
    )

    assert all(not isinstance(outcome, Exception) for outcome in outcomes), outcomes
    reply_effects.call_task.assert_called_once_with(contact.prospect, notes=ANY)
    reply_effects.stop.assert_called_once()
    assert sorted(len(outcome.applied_effects) for outcome in outcomes) == [0, 0, 3]
