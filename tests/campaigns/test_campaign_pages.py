"""The campaign pages: the list, a new campaign, and a campaign's live progress."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Campaign
from media_pipeline import services as pipeline_services
from media_pipeline import tasks
from tests.factories import (
    CampaignFactory,
    CampaignProspectFactory,
    ContactFactory,
    ProspectFactory,
)


@pytest.fixture(autouse=True)
def no_workers(monkeypatch):
    monkeypatch.setattr(tasks.pipeline_run, "delay", lambda pk: None)


def test_a_rep_creates_a_draft_campaign_from_the_form(bob_client, workspace):
    stripe = ProspectFactory(workspace=workspace, name="Stripe")
    ContactFactory(prospect=stripe, first_name="Avery")
    form = bob_client.get("/campaigns/new/")
    assert form.status_code == 200
    assert b"Stripe" in form.content

    response = bob_client.post(
        "/campaigns/new/",
        {
            "name": "Fintech intros",
            "brief": "A two-week pilot.",
            "sender_name": "Bob",
            "offline_voice": "en+f2",
            "words_per_minute": 150,
            "prospects": [stripe.pk],
            "new_prospects": "Dana Reyes, Acme, VP Finance, acme.example, dana@acme.example\n\n",
        },
    )

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.status == "draft" and campaign.total_prospects == 2
    assert (campaign.offline_voice, campaign.words_per_minute) == ("en+f2", 150)
    names = set(campaign.campaign_prospects.values_list("prospect__name", flat=True))
    assert names == {"Stripe", "Acme"}


def test_the_form_says_what_is_wrong(bob_client):
    response = bob_client.post(
        "/campaigns/new/",
        {
            "name": "Empty",
            "sender_name": "Bob",
            "offline_voice": "en-us+m3",
            "words_per_minute": 165,
            "new_prospects": "Dana Reyes, , VP",
        },
    )
    assert response.status_code == 422
    assert b"Line 1: the company (second value) is missing." in response.content
    assert not Campaign.objects.exists()


def test_a_draft_is_launched_from_its_page_and_then_polls_for_progress(bob_client, workspace):
    campaign = CampaignFactory(workspace=workspace, name="Fintech intros")
    CampaignProspectFactory(campaign=campaign, prospect__name="Stripe")
    page = bob_client.get(f"/campaigns/{campaign.pk}/")
    assert b"Launch campaign" in page.content
    assert b'hx-trigger="every 2s"' not in page.content

    response = bob_client.post(f"/campaigns/{campaign.pk}/launch/", follow=True)

    assert b"Launched: 1 video on the way." in response.content
    assert b"Launch campaign" not in response.content
    assert b'hx-trigger="every 2s"' in response.content
    again = bob_client.post(f"/campaigns/{campaign.pk}/launch/", follow=True)
    assert b"Campaign already launched" in again.content


def test_the_progress_shows_errors_in_place_and_stops_polling_when_done(bob_client, workspace):
    campaign = CampaignFactory(
        workspace=workspace, status="running", total_prospects=2, launched_at=timezone.now()
    )
    done = CampaignProspectFactory(campaign=campaign, prospect__name="Stripe")
    done.video.name = done.media_path("video-a1.mp4")
    done.thumbnail.name = done.media_path("thumbnail-a1.jpg")
    done.save()
    pipeline_services.prospect_complete(campaign_prospect=done)
    broken = CampaignProspectFactory(campaign=campaign, prospect__name="Plaid")
    live = bob_client.get(f"/campaigns/{campaign.pk}/progress/")
    assert b'hx-trigger="every 2s"' in live.content

    pipeline_services.prospect_fail(
        campaign_prospect=broken,
        step="research",
        error="Research failed: https://plaid.example answered 404 Not Found.",
    )
    partial = bob_client.get(f"/campaigns/{campaign.pk}/progress/", headers={"HX-Request": "true"})

    content = partial.content.decode()
    assert 'hx-trigger="every 2s"' not in content
    # The page header's status badge is swapped along with the progress.
    assert 'id="campaign-status" hx-swap-oob="outerHTML">Completed<' in content
    assert "Research failed: https://plaid.example answered 404 Not Found." in content
    assert "Retry from research" in content
    assert f'src="/media/{done.video.name}"' in content
    assert f'poster="/media/{done.thumbnail.name}"' in content

    retried = bob_client.post(
        f"/campaigns/{campaign.pk}/prospects/{broken.pk}/retry/", headers={"HX-Request": "true"}
    )
    assert retried.status_code == 200
    assert 'hx-trigger="every 2s"' in retried.content.decode()
    broken.refresh_from_db()
    assert broken.status == "queued"


def test_another_workspaces_campaign_is_not_found(client, charlie, workspace):
    campaign = CampaignFactory(workspace=workspace)
    client.force_login(charlie)
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 404
    assert client.get(f"/campaigns/{campaign.pk}/progress/").status_code == 404
    assert client.post(f"/campaigns/{campaign.pk}/launch/").status_code == 404
    assert b"Video campaign" not in client.get("/campaigns/").content


def test_the_campaign_page_costs_the_same_queries_for_few_or_many_prospects(bob_client, workspace):
    def campaign_with(n: int) -> Campaign:
        campaign = CampaignFactory(workspace=workspace, status="running", total_prospects=n)
        for i in range(n):
            CampaignProspectFactory(campaign=campaign, status="failed" if i % 2 else "queued")
        return campaign

    small, large = campaign_with(2), campaign_with(15)
    bob_client.get("/campaigns/")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert bob_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert queries(f"/campaigns/{small.pk}/") == queries(f"/campaigns/{large.pk}/")
    assert queries(f"/campaigns/{small.pk}/progress/") == queries(
        f"/campaigns/{large.pk}/progress/"
    )
    few = queries("/campaigns/")
    campaign_with(3)
    assert queries("/campaigns/") == few
