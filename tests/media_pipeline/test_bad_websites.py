"""A bad website (too slow, missing, not a web page, huge, private) fails its prospect with a
clear reason after its retries, and the rest of the campaign goes on."""

import time

import pytest
from django.contrib.auth import get_user_model

from campaigns.models import Campaign
from campaigns.services import ExistingTarget, campaign_create, campaign_launch
from demo.campaign import SNAPSHOTS
from media_pipeline import pipeline
from tests.factories import CampaignProspectFactory, ProspectFactory
from tests.local_server import Handler, base_url, local_server
from tests.media import streams
from tests.media_pipeline.fakes import researched_prospect

GOOD_PAGE = (SNAPSHOTS / "ramp.com.html").read_bytes()


class Websites(Handler):
    def do_GET(self):
        if self.path == "/slow":
            time.sleep(2.5)
        if self.path == "/missing":
            self.send_error(404, "Not Found")
            return
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(200):
                self.wfile.write(b"<p>" + b"x" * 10_000 + b"</p>")
            return
        if self.path.endswith(".pdf"):
            self.send(200, b"%PDF-1.7", "application/pdf")
        else:
            self.send(200, GOOD_PAGE, "text/html")


@pytest.fixture
def websites():
    with local_server(Websites) as server:
        yield base_url(server)


@pytest.mark.django_db(transaction=True)
def test_bad_websites_fail_their_prospects_and_the_good_one_gets_its_video(
    websites, workspace, settings
):
    settings.RESEARCH_TIMEOUT_SECONDS = 1
    settings.RESEARCH_MAX_BYTES = 100_000
    alice = get_user_model().objects.create(username="alice")
    sites = {
        "Slowpoke": "/slow",
        "Gone": "/missing",
        "Brochure": "/brochure.pdf",
        "Enormous": "/huge",
        "Ramp": "/",
    }
    campaign = campaign_create(
        workspace=workspace,
        name="Mixed bag",
        sender_name="Alice",
        targets=[
            ExistingTarget(
                prospect=ProspectFactory(
                    workspace=workspace,
                    name=name,
                    domain=f"{name.lower()}.example",
                    website=f"{websites}{path}",
                )
            )
            for name, path in sites.items()
        ],
        by=alice,
    )

    # Tasks run in-process: launching works through every prospect before it returns.
    campaign_launch(campaign=campaign)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED
    assert (campaign.completed_prospects, campaign.failed_prospects) == (1, 4)
    entries = {e.prospect.name: e for e in campaign.campaign_prospects.select_related("prospect")}
    research = {name: e.generation_jobs.get(job_type="research") for name, e in entries.items()}

    slow = entries["Slowpoke"]
    assert slow.status == "failed" and slow.failed_step == "research"
    assert slow.error == (
        f"Research failed: {websites}/slow did not answer within 1 seconds. "
        "(gave up after 3 attempts)"
    )
    assert research["Slowpoke"].attempts == 3
    assert entries["Gone"].error == f"Research failed: {websites}/missing answered 404 Not Found."
    assert entries["Brochure"].error == (
        f"Research failed: {websites}/brochure.pdf is not a web page (it sent application/pdf)."
    )
    assert entries["Enormous"].error == f"Research failed: {websites}/huge is larger than 100 KB."
    for name in ("Gone", "Brochure", "Enormous"):
        assert research[name].attempts == 1, name

    ramp = entries["Ramp"]
    assert ramp.status == "complete"
    assert ramp.research_data["title"].startswith("Ramp | ")
    found = streams(ramp.video.path)
    assert {"video", "audio"} <= set(found)


def test_a_website_on_a_private_address_is_refused_at_once(workspace, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    entry = CampaignProspectFactory(
        campaign__workspace=workspace,
        campaign__status=Campaign.Status.RUNNING,
        campaign__total_prospects=1,
        prospect=ProspectFactory(workspace=workspace, website="http://10.1.2.3/admin"),
    )

    pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.status == "failed"
    assert entry.error == (
        "Research failed: http://10.1.2.3/admin cannot be fetched: 10.1.2.3 points to a private "
        "or local address (10.1.2.3), which is not allowed."
    )
    assert entry.generation_jobs.get().attempts == 1


def test_a_prospect_without_a_website_fails_research_with_the_reason(workspace):
    entry = researched_prospect(workspace)
    entry.research_data = {}
    entry.save()
    entry.prospect.website = entry.prospect.domain = ""
    entry.prospect.save()
    entry.generation_jobs.update(status="pending", attempts=0)

    pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.error == f"Research failed: {entry.prospect.name} has no website to research."
