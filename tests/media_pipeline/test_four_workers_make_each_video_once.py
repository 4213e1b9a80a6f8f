"""Four worker processes consuming the same queues, with the pipeline's sweep sent to all of them
at once while they work: every step of every prospect's video is done exactly once, and the
campaign completes."""

import pytest
from django.conf import settings
from django.db.models import Count

from campaigns.models import Campaign, CampaignProspect
from campaigns.services import ExistingTarget, campaign_create, campaign_launch
from config.celery import app
from demo.campaign import SNAPSHOTS
from media_pipeline import tasks
from media_pipeline.models import GenerationJob
from tests.celery_workers import shared_queue_workers
from tests.factories import ContactFactory, ProspectFactory
from tests.local_server import Handler, base_url, local_server

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="real workers need Redis (set REDIS_URL)"),
    pytest.mark.timeout(240),
]

WORKERS = 4
SITES = ["ramp.com", "brex.com", "plaid.com", "mercury.com"]


class Websites(Handler):
    def do_GET(self):
        site = self.path.strip("/") or "ramp.com"
        self.send(200, (SNAPSHOTS / f"{site}.html").read_bytes(), "text/html")


@pytest.fixture
def websites():
    with local_server(Websites) as server:
        yield server


def test_four_workers_do_each_step_of_each_video_once(tmp_path, workspace, websites):
    targets = []
    for site in SITES:
        prospect = ProspectFactory(
            workspace=workspace, name=site, domain=site, website=f"{base_url(websites)}/{site}"
        )
        ContactFactory(prospect=prospect)
        targets.append(ExistingTarget(prospect=prospect))
    campaign = campaign_create(
        workspace=workspace, name="Shared queues", sender_name="Alice", targets=targets
    )

    with shared_queue_workers(tmp_path, OUTBOUND_ALLOW_PRIVATE_ADDRESSES="true") as workers:
        workers.start(WORKERS)
        campaign_launch(campaign=campaign)

        def sweep_on_every_worker() -> None:
            for _ in range(WORKERS):
                tasks.pipeline_sweep.delay()

        def campaign_ended() -> bool:
            campaign.refresh_from_db()
            return campaign.status == Campaign.Status.COMPLETED

        workers.wait_until(
            campaign_ended,
            seconds=200,
            what="the campaign to complete",
            meanwhile=sweep_on_every_worker,
        )
        ran = videos_by_worker()

    assert len(ran) > 1, f"the workers did not share the videos: {ran}"
    entries = CampaignProspect.objects.filter(campaign=campaign)
    assert {entry.status for entry in entries} == {CampaignProspect.Status.COMPLETE}
    assert all(entry.video for entry in entries)
    jobs = GenerationJob.objects.filter(campaign_prospect__campaign=campaign)
    # One job per step (and scene) of each video, each done at its first attempt.
    per_step = jobs.values("campaign_prospect", "job_type", "scene_index").annotate(n=Count("pk"))
    assert not per_step.filter(n__gt=1).exists()
    assert set(jobs.values_list("status", "attempts", "lost_leases")) == {("succeeded", 1, 0)}
    for entry in entries:
        done = set(jobs.filter(campaign_prospect=entry).values_list("job_type", flat=True))
        assert done == {"research", "script", "voice", "visual", "assembly"}, entry


def videos_by_worker() -> dict[str, int]:
    """How many pipeline runs each worker took."""
    stats = app.control.inspect(timeout=2).stats() or {}
    ran = {
        worker: info.get("total", {}).get("media_pipeline.run", 0) for worker, info in stats.items()
    }
    return {worker: n for worker, n in ran.items() if n}
