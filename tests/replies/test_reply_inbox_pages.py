"""The reply inbox in the dashboard: the list with its filters, a reply with its thread, and the
forms that correct a triage, dismiss a reply or link it to a contact."""

from unittest.mock import ANY

import pytest
from django.urls import reverse

from outreach.models import Reply
from tests.factories import (
    ContactFactory,
    OutreachLogFactory,
    ProspectFactory,
    ReplyFactory,
    WorkspaceFactory,
)
from tests.outreach.test_query_counts import count_queries


@pytest.fixture
def contact(workspace):
    prospect = ProspectFactory(workspace=workspace, name="Northwind")
    return ContactFactory(prospect=prospect, first_name="Jane", last_name="Cooper")


def test_the_inbox_opens_on_the_replies_waiting_for_a_rep(bob_client, contact, workspace):
    ReplyFactory(contact=contact, subject="Re: pricing?", intent="question", state="needs_review")
    ReplyFactory(contact=contact, subject="Re: handled", state="applied")
    ReplyFactory(workspace=workspace, contact=None, subject="Re: who?", from_email="x@y.example")

    page = bob_client.get(reverse("replies:reply_inbox")).content.decode()

    assert "Re: pricing?" in page and "Re: who?" in page
    assert "Re: handled" not in page
    assert "Unknown sender" in page
    everything = bob_client.get(reverse("replies:reply_inbox"), {"state": "all"}).content.decode()
    assert "Re: handled" in everything


def test_the_inbox_filters_by_intent_and_search(bob_client, contact):
    ReplyFactory(contact=contact, subject="Re: yes", intent="interested", state="applied")
    ReplyFactory(contact=contact, subject="Re: stop", intent="unsubscribe", state="applied")
    page = bob_client.get(reverse("replies:reply_inbox"), {"state": "all", "intent": "unsubscribe"})
    assert "Re: stop" in page.content.decode() and "Re: yes" not in page.content.decode()
    page = bob_client.get(reverse("replies:reply_inbox"), {"state": "all", "q": "yes"})
    assert "Re: yes" in page.content.decode() and "Re: stop" not in page.content.decode()


def test_a_reply_page_shows_what_they_wrote_and_the_conversation(bob_client, contact):
    OutreachLogFactory(prospect=contact.prospect, contact=contact, subject="Quick question")
    reply = ReplyFactory(contact=contact, body="Tuesday works.", text="Tuesday works.\n> old")

    page = bob_client.get(reverse("replies:reply_detail", args=[reply.pk])).content.decode()

    assert "Tuesday works." in page
    assert "Quick question" in page  # our email, in the thread
    assert "Full message as received" in page
    assert 'id="triage-form"' in page


def test_a_rep_corrects_a_triage_from_the_reply_page(bob_client, bob, contact, reply_effects):
    reply = ReplyFactory(contact=contact, intent="question")

    response = bob_client.post(
        reverse("replies:reply_triage", args=[reply.pk]), {"intent": "interested"}, follow=True
    )

    reply.refresh_from_db()
    assert (reply.intent, reply.state, reply.applied_by) == ("interested", "applied", bob)
    assert "Marked Interested. Done:" in response.content.decode()
    again = bob_client.post(
        reverse("replies:reply_triage", args=[reply.pk]), {"intent": "interested"}, follow=True
    )
    assert "Nothing new to do." in again.content.decode()
    reply_effects.call_task.assert_called_once_with(contact.prospect, notes=ANY)


def test_a_call_task_that_could_not_be_created_is_shown(bob_client, contact, reply_effects):
    from outreach.replies.services.effects import CallTaskResult

    reply_effects.call_task.return_value = CallTaskResult(False, "an open call task exists", 7)
    reply = ReplyFactory(contact=contact)
    response = bob_client.post(
        reverse("replies:reply_triage", args=[reply.pk]), {"intent": "interested"}, follow=True
    )
    assert "No call task: an open call task exists" in response.content.decode()


def test_a_made_up_intent_is_refused_on_the_page(bob_client, contact):
    reply = ReplyFactory(contact=contact)
    response = bob_client.post(
        reverse("replies:reply_triage", args=[reply.pk]), {"intent": "maybe"}
    )
    assert response.status_code == 422
    assert Reply.objects.get(pk=reply.pk).state == "needs_review"


def test_a_rep_dismisses_a_reply(bob_client, contact):
    reply = ReplyFactory(contact=contact)
    response = bob_client.post(reverse("replies:reply_ignore", args=[reply.pk]), follow=True)
    assert "Reply ignored." in response.content.decode()
    assert Reply.objects.get(pk=reply.pk).state == "ignored"


def test_a_rep_links_an_unknown_sender_to_a_contact_by_email(bob_client, contact, workspace):
    contact.email = "jane@northwind.example"
    contact.save()
    reply = ReplyFactory(workspace=workspace, contact=None)
    missing = bob_client.post(
        reverse("replies:reply_link", args=[reply.pk]), {"email": "nobody@x.example"}
    )
    assert missing.status_code == 422
    assert "No contact in this workspace has this email." in missing.content.decode()

    bob_client.post(
        reverse("replies:reply_link", args=[reply.pk]), {"email": "Jane@Northwind.example"}
    )
    assert Reply.objects.get(pk=reply.pk).contact == contact


def test_another_workspaces_reply_is_a_404_on_every_page(bob_client, charlie):
    theirs = ReplyFactory(
        contact=ContactFactory(prospect=ProspectFactory(workspace=WorkspaceFactory()))
    )
    assert bob_client.get(reverse("replies:reply_detail", args=[theirs.pk])).status_code == 404
    for name in ("replies:reply_triage", "replies:reply_ignore", "replies:reply_link"):
        assert (
            bob_client.post(reverse(name, args=[theirs.pk]), {"intent": "interested"}).status_code
            == 404
        )
    assert Reply.objects.get(pk=theirs.pk).state == "needs_review"


def test_the_inbound_email_page_is_for_admins(alice_client, bob_client, workspace):
    assert bob_client.get(reverse("replies:reply_inbound_settings")).status_code == 403
    page = alice_client.get(reverse("replies:reply_inbound_settings")).content.decode()
    mailbox = workspace.inbound_mailbox
    assert mailbox.address in page and mailbox.delivery_secret in page
    alice_client.post(reverse("replies:reply_inbound_settings"))
    mailbox.refresh_from_db()
    assert mailbox.address not in page


def test_the_inbox_and_a_reply_cost_the_same_queries_for_few_or_many(
    bob_client, workspace, contact
):
    def fill(n: int) -> Reply:
        for _ in range(n):
            ReplyFactory(contact=ContactFactory(prospect=contact.prospect))
            ReplyFactory(workspace=workspace, contact=None)
            ReplyFactory(contact=contact)
            OutreachLogFactory(prospect=contact.prospect, contact=contact)
        return ReplyFactory(contact=contact)

    bob_client.get("/")
    reply = fill(2)
    few = count_queries(lambda: bob_client.get(reverse("replies:reply_inbox")))[0]
    few_detail = count_queries(
        lambda: bob_client.get(reverse("replies:reply_detail", args=[reply.pk]))
    )[0]
    reply = fill(20)
    many, response = count_queries(lambda: bob_client.get(reverse("replies:reply_inbox")))
    many_detail = count_queries(
        lambda: bob_client.get(reverse("replies:reply_detail", args=[reply.pk]))
    )[0]
    assert response.status_code == 200
    assert (many, many_detail) == (few, few_detail)
