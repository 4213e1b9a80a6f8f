"""The campaign videos that prospects' wizard pages play: the wizard's video source."""

from datetime import datetime, timedelta

from campaigns.models import CampaignProspect
from campaigns.selectors import finished_video_for_prospect
from campaigns.services import video_play_record, video_watched_record
from outreach.models import Activity, Prospect
from outreach.wizard.videos import WizardVideo

# Pressing play again within this long after a play is the same viewing (pause and resume).
REPLAY_WINDOW = timedelta(minutes=30)
# How much was watched is told when the prospect pauses, finishes or leaves: it belongs to
# their latest play of the video, unless that was so long ago that its report was lost.
WATCHED_WINDOW = timedelta(hours=6)


class CampaignVideos:
    """Registered with the wizard at start-up (CampaignsConfig.ready)."""

    def finished_video(self, *, prospect: Prospect) -> WizardVideo | None:
        finished = finished_video_for_prospect(prospect=prospect)
        if finished is None:
            return None
        return WizardVideo(
            url=finished.video_url,
            poster_url=finished.thumbnail_url,
            key=finished.pk,
            subtitles_url=finished.subtitles_url,
        )

    def record_play(self, *, prospect: Prospect, key: int, occurred_at: datetime) -> bool:
        replay = Activity.objects.filter(
            prospect=prospect,
            kind=Activity.Kind.VIDEO_PLAY,
            occurred_at__gte=occurred_at - REPLAY_WINDOW,
            metadata__campaignProspectId=key,
        ).exists()
        if replay:
            return False
        campaign_prospect = CampaignProspect.objects.select_related(
            "workspace", "prospect", "contact"
        ).get(pk=key, prospect=prospect)
        video_play_record(campaign_prospect=campaign_prospect, occurred_at=occurred_at)
        return True

    def record_watched(
        self, *, prospect: Prospect, key: int, share: float, occurred_at: datetime
    ) -> bool:
        play = (
            Activity.objects.filter(
                prospect=prospect,
                kind=Activity.Kind.VIDEO_PLAY,
                occurred_at__gte=occurred_at - WATCHED_WINDOW,
                occurred_at__lte=occurred_at,
                metadata__campaignProspectId=key,
            )
            .order_by("-occurred_at", "-pk")
            .first()
        )
        if play is None:
            return False
        video_watched_record(play=play, share=share)
        return True
