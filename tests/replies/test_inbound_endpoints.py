"""The three ways in: JSON through the API, a raw message from an MTA, and Mailgun's signed
inbound webhook. Each lands in exactly one workspace and answers a clear 4xx to anything else."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from outreach.models import Reply
from outreach.workspaces.services.mailboxes import inbound_mailbox_rotate
from tests.factories import ContactFactory, InboundMailboxFactory, ProspectFactory
from tests.replies.conftest import sample_bytes

SIGNING_KEY = "key-mailgun-signing-test"
RAW_REPLY = (
    b"From: Jane Cooper <jane@northwind.example>\r\n"
    b"To: replies@replies.localhost\r\n"
    b"Subject: Re: Quick question\r\n"
    b"Message-ID: <raw-1@mail.northwind.example>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Yes, let's talk next week.\r\n"
)


@pytest.fixture
def contact(workspace):
    return ContactFactory(
        prospect=ProspectFactory(workspace=workspace), email="jane@northwind.example"
    )


def post_raw(client: Client, secret: str, body: bytes, path_suffix: str = "/"):
    url = reverse("replies:reply_raw_delivery", args=[secret]).rstrip("/") + path_suffix
    return client.post(url, body, content_type="message/rfc822")


# --- JSON --------------------------------------------------------------------------------------


def test_the_json_endpoint_needs_a_key(client):
    response = client.post(
        "/api/v1/replies/inbound", json.dumps({}), content_type="application/json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"from": {"email": "jane@northwind.example"}}, 422),  # no message_id
        ({"message_id": "<a@b>"}, 422),  # no sender
        ({"message_id": "<a@b>", "from": {"email": "jane@x.example"}, "text": "x" * 500_001}, 422),
        ({"message_id": "<a@b>", "from": {"email": "not an address"}}, 422),
        (
            {"message_id": "<a@b>", "from": {"email": "a@b.example"}, "headers": {"h": "x" * 3000}},
            422,
        ),
    ],
)
def test_the_json_endpoint_refuses_a_malformed_message_with_a_reason(api, body, status):
    response = api.post("replies/inbound", body)
    assert response.status_code == status
    assert response.json()["detail"]
    assert not Reply.objects.exists()


def test_the_json_endpoint_refuses_a_body_that_is_not_json(api):
    response = api.client.post(
        "/api/v1/replies/inbound", "{nope", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400


def test_the_json_endpoint_refuses_an_oversized_body_with_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"message_id": "<a@b>", "from": {"email": "a@b.example"}, "text": "x" * 20_000}
    response = api.post("replies/inbound", body)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_json_replies_land_in_the_workspace_of_the_key(api, contact, workspace):
    response = api.post(
        "replies/inbound",
        {
            "message_id": "<j1@mail.northwind.example>",
            "from": {"email": "Jane@Northwind.example", "name": "Jane Cooper"},
            "to": ["Bob <replies@replies.localhost>"],
            "subject": "Re: Quick question",
            "html": "<p>Happy to chat.</p><blockquote>Earlier message</blockquote>",
            "headers": {"Auto-Submitted": "no"},
        },
    )
    assert response.status_code == 201
    assert response.json()["contact_id"] == contact.pk
    reply = Reply.objects.get()
    assert (reply.workspace, reply.source, reply.from_email) == (
        workspace,
        "api",
        "jane@northwind.example",
    )
    assert reply.body == "Happy to chat."


# --- Raw delivery ------------------------------------------------------------------------------


def test_a_raw_message_posted_to_the_mailbox_url_is_stored_in_its_workspace(
    client, mailbox, contact, workspace
):
    response = post_raw(client, mailbox.delivery_secret, RAW_REPLY)
    assert response.status_code == 201, response.content
    reply = Reply.objects.get(pk=response.json()["id"])
    assert (reply.workspace, reply.contact, reply.source) == (workspace, contact, "raw")
    assert reply.raw_size == len(RAW_REPLY)
    # The same message again: stored once.
    again = post_raw(client, mailbox.delivery_secret, RAW_REPLY, path_suffix="")
    assert (again.status_code, again.json()["created"]) == (200, False)
    assert Reply.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"", 400, "empty"),
        (b"just some words, no headers at all", 400, "header"),
        (b"Subject: hello\r\n\r\nno sender here\r\n", 400, "From"),
    ],
)
def test_a_raw_post_that_is_not_an_email_is_a_400(client, mailbox, body, status, says):
    response = post_raw(client, mailbox.delivery_secret, body)
    assert response.status_code == status
    assert says in response.json()["detail"]


def test_an_oversized_raw_message_is_a_413(client, mailbox, settings):
    settings.REPLIES_MAX_MESSAGE_BYTES = 1_000
    response = post_raw(client, mailbox.delivery_secret, RAW_REPLY + b"x" * 2_000)
    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["detail"]
    assert not Reply.objects.exists()


def test_a_message_larger_than_django_form_limits_still_arrives(client, mailbox, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = post_raw(client, mailbox.delivery_secret, RAW_REPLY + b"long line\r\n" * 500)
    assert response.status_code == 201


def test_an_unknown_or_rotated_delivery_url_is_a_404(client, mailbox, workspace):
    assert post_raw(client, "not-a-secret", RAW_REPLY).status_code == 404
    old_secret = mailbox.delivery_secret
    inbound_mailbox_rotate(workspace=workspace)
    response = post_raw(client, old_secret, RAW_REPLY)
    assert response.status_code == 404
    assert response.json()["detail"] == "No inbound mailbox has this address."


def test_the_raw_url_only_takes_posts(client, mailbox):
    url = reverse("replies:reply_raw_delivery", args=[mailbox.delivery_secret])
    assert client.get(url).status_code == 405


def test_a_raw_message_lands_only_in_the_workspace_whose_url_it_was_posted_to(
    client, contact, other_workspace
):
    """Our contact, answering our email, delivered to another workspace's mailbox: it is theirs,
    and matches nothing of ours."""
    away = InboundMailboxFactory(workspace=other_workspace)
    response = post_raw(client, away.delivery_secret, RAW_REPLY)
    reply = Reply.objects.get(pk=response.json()["id"])
    assert (reply.workspace, reply.contact) == (other_workspace, None)


def test_a_raw_message_with_8bit_headers_and_nul_bytes_is_stored_readable(client, mailbox):
    raw = (
        "From: Jürgen Müller <j@x.example>\r\nSubject: Grüße\x00\r\nMessage-ID: <u1@x>\r\n\r\n"
        "Gerne, rufen Sie mich an.\x00\r\n"
    ).encode()
    response = post_raw(client, mailbox.delivery_secret, raw)
    assert response.status_code == 201
    reply = Reply.objects.get()
    assert (reply.from_name, reply.subject) == ("Jürgen Müller", "Grüße")
    assert "\x00" not in reply.text


def test_a_message_without_a_message_id_is_still_stored_once(client, mailbox):
    raw = b"From: a@b.example\r\nSubject: hi\r\n\r\nInterested.\r\n"
    assert post_raw(client, mailbox.delivery_secret, raw).status_code == 201
    assert post_raw(client, mailbox.delivery_secret, raw).status_code == 200
    assert Reply.objects.get().message_id.endswith("@no-message-id.invalid>")


# --- Mailgun -----------------------------------------------------------------------------------


def mailgun_post(client: Client, fields: dict, *, key: str = SIGNING_KEY, mime: bool = False):
    timestamp, token = str(int(time.time())), "c0ffee" * 8
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    url = reverse("replies:reply_mailgun_inbound").rstrip("/") + ("/mime/" if mime else "/")
    data = {"timestamp": timestamp, "token": token, "signature": signature, **fields}
    return client.post(url, data)


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def parsed_fields(mailbox, *, message_id="<mg-1@mail.northwind.example>") -> dict:
    headers = [
        ["From", "Jane Cooper <jane@northwind.example>"],
        ["To", mailbox.address],
        ["Subject", "Re: Quick question"],
        ["Message-Id", message_id],
        ["In-Reply-To", "<outreach-1@acme-sales.example>"],
    ]
    return {
        "recipient": mailbox.address,
        "sender": "jane@northwind.example",
        "from": "Jane Cooper <jane@northwind.example>",
        "subject": "Re: Quick question",
        "body-plain": "Sure, happy to chat.\n\nOn Mon, Bob wrote:\n> Hi Jane",
        "message-headers": json.dumps(headers),
    }


def test_a_signed_mailgun_post_is_stored_in_the_workspace_of_its_reply_address(
    client, mailgun, mailbox, contact, workspace
):
    response = mailgun_post(client, parsed_fields(mailbox))
    assert response.status_code == 201, response.content
    reply = Reply.objects.get()
    assert (reply.workspace, reply.contact, reply.source) == (workspace, contact, "mailgun")
    assert reply.body == "Sure, happy to chat."
    assert reply.in_reply_to == "<outreach-1@acme-sales.example>"
    # Mailgun retries a delivery it thinks failed: the second copy is the same reply.
    assert mailgun_post(client, parsed_fields(mailbox)).status_code == 200
    assert Reply.objects.count() == 1


def test_a_signed_mailgun_raw_mime_post_is_read_like_a_raw_delivery(client, mailgun, mailbox):
    raw = sample_bytes("autoreplies", "gmail-vacation.eml").replace(
        b"replies+k3mxq7tz2abc9def@replies.example", mailbox.address.encode()
    )
    response = mailgun_post(
        client, {"recipient": mailbox.address, "body-mime": raw.decode()}, mime=True
    )
    assert response.status_code == 201, response.content
    assert Reply.objects.get().kind == Reply.Kind.AUTO_REPLY


def test_a_wrongly_signed_mailgun_post_is_refused(client, mailgun, mailbox):
    response = mailgun_post(client, parsed_fields(mailbox), key="someone-elses-key")
    assert response.status_code == 403
    assert "signature" in response.json()["detail"]
    unsigned = client.post(reverse("replies:reply_mailgun_inbound"), parsed_fields(mailbox))
    assert unsigned.status_code == 403
    assert not Reply.objects.exists()


def test_mail_for_an_address_no_workspace_has_is_refused_without_retries(client, mailgun, mailbox):
    fields = parsed_fields(mailbox)
    fields["recipient"] = "replies+nosuchtoken@replies.localhost"
    fields["message-headers"] = json.dumps([["From", "a@b.example"], ["To", "x@elsewhere.example"]])
    response = mailgun_post(client, fields)
    assert response.status_code == 406
    assert not Reply.objects.exists()


def test_mailgun_posts_go_to_the_workspace_named_by_the_address(
    client, mailgun, mailbox, other_workspace
):
    away = InboundMailboxFactory(workspace=other_workspace)
    fields = parsed_fields(away)
    mailgun_post(client, fields)
    assert Reply.objects.get().workspace == other_workspace


def test_the_mailgun_endpoint_is_off_without_a_signing_key(client, settings, mailbox):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    response = mailgun_post(client, parsed_fields(mailbox), key="")
    assert response.status_code == 404
    assert not Reply.objects.exists()


def test_a_signed_post_that_is_not_an_inbound_message_is_a_400(client, mailgun, mailbox):
    response = mailgun_post(client, {"recipient": mailbox.address})
    assert response.status_code == 400


def test_an_oversized_mailgun_post_is_a_413(client, mailgun, mailbox, settings):
    settings.REPLIES_MAX_MESSAGE_BYTES = 100
    response = mailgun_post(client, parsed_fields(mailbox))
    assert response.status_code == 413
    assert not Reply.objects.exists()
