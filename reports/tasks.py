"""Celery tasks of the reports (thin: each calls one service)."""

from celery import shared_task

from reports import services


@shared_task(name="reports.record_engagement_levels")
def record_engagement_levels() -> int:
    """Each workspace's contacts per level today; the day's last run is the one that stays."""
    return services.engagement_levels_record()
