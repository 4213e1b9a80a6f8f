"""Celery tasks of the media pipeline (thin: each calls one service)."""

from celery import shared_task

from media_pipeline import pipeline, services


@shared_task(name="media_pipeline.run", acks_late=True, reject_on_worker_lost=True)
def pipeline_run(campaign_prospect_id: int) -> None:
    """Take one campaign prospect's video as far as it can go now."""
    pipeline.run_pipeline(campaign_prospect_id=campaign_prospect_id)


@shared_task(name="media_pipeline.sweep", acks_late=True, reject_on_worker_lost=True)
def pipeline_sweep() -> dict[str, int]:
    return services.pipeline_sweep()
