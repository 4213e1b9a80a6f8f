"""A real worker (with beat) killed with SIGKILL three times while a campaign's videos are
being assembled: each time it is started again at once, and every video still finishes, none
is marked failed, and the campaign ends within 90 s of the last restart. The killed attempts
do not count toward a job's three tries."""

import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from campaigns.models import Campaign, CampaignProspect
from campaigns.services import ExistingTarget, campaign_create, campaign_launch
from config.celery import app
from demo.campaign import SNAPSHOTS
from media_pipeline.models import GenerationJob
from tests.factories import ContactFactory, ProspectFactory
from tests.local_server import Handler, base_url, local_server
from tests.outages import AppProcesses, database_url, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="a real worker needs Redis (set REDIS_URL)"),
    pytest.mark.timeout(420),
]

SITES = ["ramp.com", "brex.com", "plaid.com"]
KILLS = 3


class Websites(Handler):
    def do_GET(self):
        site = self.path.strip("/") or "ramp.com"
        page = SNAPSHOTS / f"{site}.html"
        self.send(200, page.read_bytes(), "text/html")


@pytest.fixture
def websites():
    with local_server(Websites) as server:
        yield server


@pytest.fixture
def worker_processes(tmp_path: Path):
    (tmp_path / "var").mkdir()
    processes = AppProcesses(
        tmp_path / "var",
        {
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "OUTBOUND_ALLOW_PRIVATE_ADDRESSES": "true",
        },
    )
    # This process hands the first runs to the real broker; the worker's beat does the rest.
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("celery", "unacked", "unacked_index")
    yield processes
    processes.stop_all()
    app.conf.task_always_eager = eager
    broker.delete("celery", "unacked", "unacked_index")


def test_three_kills_during_assembly_cost_seconds_and_fail_nothing(
    workspace, websites, worker_processes
):
    targets = []
    for site in SITES:
        prospect = ProspectFactory(
            workspace=workspace, name=site, domain=site, website=f"{base_url(websites)}/{site}"
        )
        ContactFactory(prospect=prospect)
        targets.append(ExistingTarget(prospect=prospect))
    campaign = campaign_create(
        workspace=workspace, name="Drill", sender_name="Alice", targets=targets
    )
    worker = worker_processes.start_worker(beat=True, concurrency=2)
    campaign_launch(campaign=campaign)

    assembling = GenerationJob.objects.filter(
        campaign_prospect__campaign=campaign, job_type="assembly", status="running"
    )
    killed: set[tuple[int, int]] = set()

    def a_new_assembly_attempt_runs() -> bool:
        # A killed attempt stays "running" until its lease runs out: wait for a fresh one.
        return bool(set(assembling.values_list("pk", "attempts")) - killed)

    for kill in range(KILLS):
        wait_until(
            a_new_assembly_attempt_runs,
            seconds=150,
            what=f"an assembly is running (kill {kill + 1})",
            log=worker_processes.tail(),
        )
        worker_processes.kill(worker)
        killed |= set(assembling.values_list("pk", "attempts"))
        worker = worker_processes.start_worker(beat=True, concurrency=2)
    restarted = time.monotonic()

    def campaign_ended() -> bool:
        campaign.refresh_from_db()
        return campaign.status == Campaign.Status.COMPLETED

    took = wait_until(
        campaign_ended, seconds=90, what="the campaign ended", log=worker_processes.tail()
    )
    print(f"\nThe campaign ended {took:.1f} s after the last of {KILLS} restarts.")
    assert time.monotonic() - restarted <= 90

    entries = CampaignProspect.objects.filter(campaign=campaign)
    assert {entry.status for entry in entries} == {CampaignProspect.Status.COMPLETE}
    assert all(entry.video for entry in entries)
    jobs = GenerationJob.objects.filter(campaign_prospect__campaign=campaign)
    assert not jobs.filter(status="failed").exists()
    assert campaign.failed_prospects == 0
    # Each kill cut an assembly short; none of those lost attempts counted against its job.
    lost = sum(jobs.filter(job_type="assembly").values_list("lost_leases", flat=True))
    assert lost >= KILLS
