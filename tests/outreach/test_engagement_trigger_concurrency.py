"""Concurrent signals for one prospect and source make exactly one call task, on PostgreSQL with
real parallel transactions: through the trigger itself and through the public pages."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import connection

from outreach.crm.services.engagement_triggers import TriggerResult, create_engagement_call_task
from outreach.crm.services.tasks import touch_task_complete
from outreach.models import Notification, OutreachLog, Prospect, WizardSession
from tests.factories import ContactFactory, ProspectFactory, WizardLinkFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
ROUNDS = 50


def all_at_once(pool: ThreadPoolExecutor, calls: list) -> list:
    """Run the calls on the pool's threads, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    return list(pool.map(run, calls))


def close_thread_connections(pool: ThreadPoolExecutor, threads: int = THREADS) -> None:
    # Looked up in each thread: `connection` stands for the calling thread's own connection.
    all_at_once(pool, [lambda: connection.close()] * threads)


def test_it_creates_one_task_for_concurrent_triggers(workspace, bob):
    prospect = ProspectFactory(workspace=workspace, name="Stripe", owner=bob)
    ContactFactory(prospect=prospect)

    def trigger() -> TriggerResult:
        return create_engagement_call_task(prospect=prospect, trigger_source="wizard_step3")

    with ThreadPoolExecutor(THREADS) as pool:
        try:
            for round_number in range(ROUNDS):
                results = all_at_once(pool, [trigger] * THREADS)

                created = [r for r in results if r.created]
                assert len(created) == 1, f"round {round_number}: {len(created)} created"
                assert {r.reason for r in results if not r.created} <= {"already_exists"}
                assert {r.task_id for r in results} == {created[0].task_id}
                open_tasks = OutreachLog.objects.filter(prospect=prospect, status="touch_open")
                assert open_tasks.count() == 1
                # The rep calls; the next round's signal is a new one.
                touch_task_complete(task=open_tasks.get(), by=bob)
        finally:
            close_thread_connections(pool)

    assert OutreachLog.objects.filter(prospect=prospect, status="done").count() == ROUNDS


def test_concurrent_signals_of_different_sources_each_make_one_task(workspace):
    prospect = ProspectFactory(workspace=workspace)
    ContactFactory(prospect=prospect)
    sources = ["wizard_step3", "pdf_download", "interested_reply"] * 6

    with ThreadPoolExecutor(len(sources)) as pool:
        try:
            results = all_at_once(
                pool,
                [
                    lambda s=source: create_engagement_call_task(
                        prospect=prospect, trigger_source=s
                    )
                    for source in sources
                ],
            )
        finally:
            close_thread_connections(pool, len(sources))

    assert sum(r.created for r in results) == 3
    tasks = OutreachLog.objects.filter(prospect=prospect, status="touch_open")
    assert sorted(tasks.values_list("metadata__triggerSource", flat=True)) == [
        "interested_reply",
        "pdf_download",
        "wizard_step3",
    ]


def test_concurrent_visits_and_downloads_through_the_public_pages_make_one_task_each(
    live_server, workspace
):
    rounds, links_per_prospect, downloads = 5, 10, 10
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        for _ in range(rounds):
            prospect = ProspectFactory(workspace=workspace)
            ContactFactory(prospect=prospect)
            # Colleagues at the prospect open their own links; one of them clicks the report.
            links = [WizardLinkFactory(prospect=prospect) for _ in range(links_per_prospect)]
            paths = [f"/w/{link.token}/3/" for link in links]
            paths += [f"/w/{links[0].token}/report.pdf"] * downloads

            with ThreadPoolExecutor(len(paths)) as pool:
                responses = all_at_once(pool, [lambda p=path: client.get(p) for path in paths])

            assert {r.status_code for r in responses} == {200}
            tasks = OutreachLog.objects.filter(prospect=prospect, status="touch_open")
            assert sorted(tasks.values_list("metadata__triggerSource", flat=True)) == [
                "pdf_download",
                "wizard_step3",
            ]
            assert Prospect.objects.get(pk=prospect.pk).status == Prospect.Status.ENGAGED
            sessions = WizardSession.objects.filter(link__prospect=prospect)
            assert {s.max_step for s in sessions} == {3}
            assert sessions.get(link=links[0]).pdf_downloads == downloads


def test_twenty_concurrent_return_visits_after_the_call_make_exactly_one_new_task(
    live_server, workspace, bob
):
    prospect = ProspectFactory(workspace=workspace, owner=bob)
    ContactFactory(prospect=prospect)
    link = WizardLinkFactory(prospect=prospect)
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        assert client.get(f"/w/{link.token}/3/").status_code == 200
        first = OutreachLog.objects.get(prospect=prospect, status="touch_open")
        touch_task_complete(task=first, by=bob)

        with ThreadPoolExecutor(THREADS) as pool:
            responses = all_at_once(pool, [lambda: client.get(f"/w/{link.token}/3/")] * THREADS)

    assert {r.status_code for r in responses} == {200}
    tasks = OutreachLog.objects.filter(prospect=prospect, metadata__triggerSource="wizard_step3")
    assert sorted(tasks.values_list("status", flat=True)) == ["done", "touch_open"]


def test_twenty_concurrent_first_downloads_tell_the_admins_once_and_make_one_task(
    live_server, workspace, alice, bob
):
    prospect = ProspectFactory(workspace=workspace, owner=bob)
    ContactFactory(prospect=prospect)
    link = WizardLinkFactory(prospect=prospect)
    with (
        httpx.Client(base_url=live_server.url, timeout=60) as client,
        ThreadPoolExecutor(THREADS) as pool,
    ):
        responses = all_at_once(pool, [lambda: client.get(f"/w/{link.token}/report.pdf")] * THREADS)

    assert {r.status_code for r in responses} == {200}
    assert all(r.content.startswith(b"%PDF-") for r in responses)
    assert WizardSession.objects.get(link=link).pdf_downloads == THREADS
    assert Notification.objects.filter(recipient=alice).count() == 1
    tasks = OutreachLog.objects.filter(prospect=prospect, metadata__triggerSource="pdf_download")
    assert list(tasks.values_list("status", flat=True)) == ["touch_open"]
