"""Old replies that have been dealt with lose their full message as received, in bounded
batches; the reply itself stays, and the same message delivered again is still not stored
twice. Replies still waiting for triage or a person keep everything."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.models import Reply
from outreach.replies.inbound.message import Address, InboundMessage
from outreach.replies.services.intake import reply_receive
from outreach.replies.services.retention import reply_full_messages_prune
from tests.factories import ContactFactory, ReplyFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
QUOTED = "Sounds good.\n\nOn Mon, Pat wrote:\n> Would a call next week work?"


def reply(contact, *, days_ago: float, state=Reply.State.APPLIED, **fields):
    return ReplyFactory(
        contact=contact,
        state=state,
        received_at=NOW - timedelta(days=days_ago),
        text=QUOTED,
        html=f"<p>{QUOTED}</p>",
        body="Sounds good.",
        headers={"Auto-Submitted": "no"},
        **fields,
    )


@pytest.mark.django_db
def test_old_dealt_with_replies_keep_what_they_said_but_not_the_whole_message(workspace, settings):
    settings.REPLY_FULL_MESSAGE_RETENTION_DAYS = 90
    contact = ContactFactory(prospect__workspace=workspace)
    applied = reply(contact, days_ago=100)
    ignored = reply(contact, days_ago=95, state=Reply.State.IGNORED)
    answered = reply(contact, days_ago=200, state=Reply.State.ANSWERED)
    recent = reply(contact, days_ago=30)
    waiting = reply(contact, days_ago=300, state=Reply.State.NEEDS_REVIEW)
    untriaged = reply(contact, days_ago=300, state=Reply.State.NEW)

    assert reply_full_messages_prune(now=NOW) == 3

    for old in (applied, ignored, answered):
        old.refresh_from_db()
        assert (old.text, old.html) == ("", "")
        assert old.body == "Sounds good."
        assert old.headers == {"Auto-Submitted": "no"}
        assert old.intent == Reply.Intent.INTERESTED
    for kept in (recent, waiting, untriaged):
        kept.refresh_from_db()
        assert kept.text == QUOTED and kept.html == f"<p>{QUOTED}</p>"
    assert reply_full_messages_prune(now=NOW) == 0


@pytest.mark.django_db
def test_a_message_delivered_again_after_its_full_text_went_is_still_not_stored_twice(
    workspace, settings
):
    settings.REPLY_FULL_MESSAGE_RETENTION_DAYS = 90
    contact = ContactFactory(prospect__workspace=workspace)
    old = reply(contact, days_ago=120, message_id="<again@mail.example>")
    reply_full_messages_prune(now=NOW)

    receipt = reply_receive(
        workspace=workspace,
        message=InboundMessage(
            message_id="<again@mail.example>",
            from_address=Address(email=contact.email),
            text=QUOTED,
        ),
        source=Reply.Source.RAW,
    )

    assert receipt.created is False and receipt.reply.pk == old.pk
    assert Reply.objects.count() == 1


@pytest.mark.django_db
def test_small_batches_still_reach_every_old_reply_with_the_same_queries_a_batch(
    workspace, settings
):
    settings.REPLY_FULL_MESSAGE_RETENTION_DAYS = 90
    contact = ContactFactory(prospect__workspace=workspace)
    for n in range(7):
        reply(contact, days_ago=100 + n)

    with CaptureQueriesContext(connection) as few:
        assert reply_full_messages_prune(now=NOW, batch_size=50) == 7
    for n in range(7):
        reply(contact, days_ago=100 + n)
    with CaptureQueriesContext(connection) as batches:
        assert reply_full_messages_prune(now=NOW, batch_size=2) == 7

    assert not Reply.objects.exclude(text="").exists()
    # One batch: a select, an update, and the transaction around them; four batches of two.
    assert len(batches.captured_queries) == 4 * len(few.captured_queries)
