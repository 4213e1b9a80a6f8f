from django.apps import AppConfig


class MediaPipelineConfig(AppConfig):
    name = "media_pipeline"
    verbose_name = "Media pipeline"

    def ready(self) -> None:
        # Campaigns start, retry and follow their videos through the pipeline registered here.
        from campaigns.pipeline import register_video_pipeline
        from media_pipeline.ports import CampaignVideoPipeline

        register_video_pipeline(CampaignVideoPipeline())
