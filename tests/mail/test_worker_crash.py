"""A real Celery worker on Redis is killed (SIGKILL) while it talks to the SMTP server; after a
restart every other email goes once, and the one cut short is never sent again by itself: it is
marked "maybe sent" for the rep to decide."""

import os
import signal
import time

import pytest
from django.conf import settings

from config.queues import BULK, INTERACTIVE, SWEEPS
from outreach.mail.services.emails import email_create
from outreach.mail.services.mailboxes import mailbox_create
from outreach.models import OutboundEmail
from tests.automations.test_worker_crash import real_queue, wait_for  # noqa: F401 (fixture)
from tests.automations.test_worker_crash import worker as automation_worker  # noqa: F401
from tests.factories import ContactFactory, ProspectFactory
from tests.mail.servers import start_smtp

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL)"),
    pytest.mark.timeout(180),
]

EMAILS = 8


@pytest.fixture(autouse=True)
def short_waits(monkeypatch):
    """The workers' sweep gives up on a claimed send, or hands out a lost one, after 3 s."""
    monkeypatch.setenv("MAIL_SENDING_TOO_LONG_SECONDS", "3")
    monkeypatch.setenv("MAIL_QUEUED_TOO_LONG_SECONDS", "3")


@pytest.fixture
def worker(automation_worker):  # noqa: F811
    return automation_worker


@pytest.fixture
def slow_smtp():
    controller, server = start_smtp()
    server.delay = 3.0  # holds every DATA long enough to kill the worker in the middle
    yield server
    controller.stop()


def test_a_worker_killed_mid_send_never_sends_that_email_twice(
    workspace,
    bob,
    slow_smtp,
    real_queue,  # noqa: F811
    worker,
):
    mailbox = mailbox_create(
        workspace=workspace,
        owner=bob,
        fields={
            "display_name": "Bob",
            "email": "bob@acme.example",
            "smtp_host": "127.0.0.1",
            "smtp_port": slow_smtp.port,
            "smtp_tls": "none",
        },
    )
    prospect = ProspectFactory(workspace=workspace)
    for i in range(EMAILS):
        email_create(
            workspace=workspace,
            mailbox=mailbox,
            contact=ContactFactory(prospect=prospect, email=f"dana{i}@example.org"),
            subject=f"Hello {i}",
            body="Hi",
            by=bob,
        )

    first = worker(INTERACTIVE)
    worker(f"{SWEEPS},{BULK}", beat=True)
    assert slow_smtp.data_started.wait(60), "the worker never reached the SMTP server"
    time.sleep(0.5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    cut_short = set(
        OutboundEmail.objects.filter(status="sending").values_list("message_id", flat=True)
    )
    assert cut_short, "no send was under way when the worker was killed"
    slow_smtp.delay = 0.0

    worker(INTERACTIVE)
    wait_for(
        lambda: not OutboundEmail.objects.filter(status__in=["queued", "sending"]).exists(),
        timeout=150,
        what="every email to be sent or marked maybe sent",
    )
    time.sleep(2)  # one more sweep: nothing may change after this

    statuses = dict(OutboundEmail.objects.values_list("message_id", "status"))
    assert {statuses[message_id] for message_id in cut_short} == {"uncertain"}
    assert sum(status == "sent" for status in statuses.values()) == EMAILS - len(cut_short)
    received = [r.message["Message-ID"] for r in slow_smtp.received]
    # Each email reached the server at most once: the one cut short is not sent again.
    assert len(received) == len(set(received))
    assert {message_id for message_id, s in statuses.items() if s == "sent"} <= set(received)
