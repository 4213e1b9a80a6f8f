"""Handing prospects to workers: a few at a time, the rest wait as rows (not queue messages),
and a run that never started is handed out again."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from campaigns.services import campaign_launch
from media_pipeline import services, tasks
from tests.factories import CampaignFactory, CampaignProspectFactory


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(tasks.pipeline_run, "delay", sent.append)
    return sent


@pytest.fixture
def campaign(workspace):
    campaign = CampaignFactory(workspace=workspace)
    for _ in range(6):
        CampaignProspectFactory(campaign=campaign)
    return campaign


def test_launching_hands_out_a_few_prospects_and_keeps_the_rest_waiting(
    campaign, enqueued, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_PIPELINE_MAX_IN_FLIGHT = 4
    with django_capture_on_commit_callbacks(execute=True):
        campaign_launch(campaign=campaign)

    first = list(campaign.campaign_prospects.order_by("pk").values_list("pk", flat=True))
    assert enqueued == first[:4]

    # Nothing is free until a run finishes.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pipeline_dispatch() == []

    done = campaign.campaign_prospects.get(pk=first[0])
    services.prospect_complete(campaign_prospect=done)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pipeline_dispatch() == [first[4]]
    assert enqueued == first[:5]


def test_a_run_whose_message_was_lost_is_handed_out_again(
    campaign, enqueued, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_PIPELINE_MAX_IN_FLIGHT = 1
    with django_capture_on_commit_callbacks(execute=True):
        campaign_launch(campaign=campaign)
    assert len(enqueued) == 1
    campaign.campaign_prospects.exclude(pk=enqueued[0]).delete()

    later = timezone.now() + timedelta(seconds=5 * services.lease_seconds() + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert services.pipeline_sweep() == {"stuck_jobs": 0, "dispatched": 1}
    assert enqueued[1] == enqueued[0]


def test_a_prospect_waiting_out_a_retry_is_not_handed_out_early(
    campaign, enqueued, settings, django_capture_on_commit_callbacks
):
    entry = campaign.campaign_prospects.first()
    campaign.campaign_prospects.exclude(pk=entry.pk).delete()
    with django_capture_on_commit_callbacks(execute=True):
        campaign_launch(campaign=campaign)
    services.prospect_wait(campaign_prospect=entry, until=timezone.now() + timedelta(minutes=2))
    enqueued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.pipeline_sweep()
    assert enqueued == []

    with (
        time_machine.travel(timezone.now() + timedelta(minutes=3)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.pipeline_sweep()
    assert enqueued == [entry.pk]
