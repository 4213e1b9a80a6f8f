"""Redis down: prospects' wizard pages and reports are served (the rate limit fails open), and
the call tasks their visits ask for wait in the outbox until Redis is back, then all come.

Real parts only: a private redis-server this test stops and starts, gunicorn and a Celery
worker with beat as subprocesses, on the test's PostgreSQL database."""

import json
import time

import pytest
from django.conf import settings

from outreach.models import OutboxMessage, OutreachLog, Prospect
from tests.factories import ContactFactory, ProspectFactory, WizardLinkFactory
from tests.outages import AppProcesses, PrivateRedis, database_url, needs_redis_server, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    needs_redis_server,
    pytest.mark.timeout(300),
]

PROSPECTS = 10
SIGNALS = {"wizard_step3", "pdf_download"}


@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_processes(tmp_path, redis_server):
    processes = AppProcesses(
        tmp_path / "var",
        {
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_server.url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
    )
    (tmp_path / "var").mkdir()
    processes.collect_static()
    yield processes
    processes.stop_all()


def call_task_signals(prospect: Prospect) -> set[str]:
    return set(
        OutreachLog.objects.filter(
            prospect=prospect, metadata__kind=OutreachLog.TOUCH_TASK
        ).values_list("metadata__triggerSource", flat=True)
    )


def test_with_redis_down_prospects_walk_their_wizard_and_every_call_task_comes_back_with_it(
    workspace, redis_server, app_processes
):
    base = app_processes.start_web()
    app_processes.start_worker(beat=True)
    links = []
    for number in range(PROSPECTS):
        prospect = ProspectFactory(workspace=workspace, name=f"Outage Co {number}")
        ContactFactory(prospect=prospect)
        links.append(WizardLinkFactory(prospect=prospect))

    redis_server.stop()
    status, _headers, body = app_processes.get(f"{base}/readyz")
    assert status == 503
    assert json.loads(body)["checks"] == {"database": "ok", "broker": "unreachable"}
    assert app_processes.get(f"{base}/livez")[0] == 200
    answers = []
    for link in links:
        for page in ("", "2/", "3/", "report.pdf"):
            status, _headers, body = app_processes.get(f"{base}/w/{link.token}/{page}")
            answers.append((page, status))
            if page == "report.pdf" and status == 200:
                assert body.startswith(b"%PDF-")
    # A wrong link goes through the rate limiter, which cannot count while Redis is down.
    wrong_link = app_processes.get(f"{base}/w/{'A' * 32}/")[0]

    assert [status for _, status in answers] == [200] * (4 * PROSPECTS), (
        answers,
        app_processes.tail(),
    )
    assert wrong_link == 404
    for link in links:
        assert Prospect.objects.get(pk=link.prospect_id).status == Prospect.Status.ENGAGED
        assert call_task_signals(link.prospect) == set()
    waiting = set(OutboxMessage.objects.values_list("task_name", flat=True))
    assert "outreach.engagement_call_task_create" in waiting

    redis_server.start()
    back = time.monotonic()

    def every_call_task_exists() -> bool:
        return all(call_task_signals(link.prospect) == SIGNALS for link in links)

    took = wait_until(
        every_call_task_exists,
        seconds=60,
        what="every prospect has its two call tasks",
        log=app_processes.tail(),
    )
    print(f"\nEvery call task existed {took:.1f} s after Redis was back.")
    assert time.monotonic() - back <= 60
    wait_until(
        lambda: not OutboxMessage.objects.exists(),
        seconds=30,
        what="the outbox is empty",
        log=app_processes.tail(),
    )
    # One task per prospect and signal, however many views asked for it.
    assert OutreachLog.objects.filter(metadata__kind=OutreachLog.TOUCH_TASK).count() == 2 * len(
        links
    )
