from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        # A prospect's wizard page plays their campaign video and tells what its research read.
        from campaigns.research import CampaignResearch
        from campaigns.videos import CampaignVideos
        from outreach.wizard.research import register_research_source
        from outreach.wizard.videos import register_video_source

        register_video_source(CampaignVideos())
        register_research_source(CampaignResearch())
