"""Celery tasks of the outbox: the sweep that hands out what the broker missed."""

from celery import shared_task

from outreach.outbox import services


@shared_task(name="outreach.outbox_sweep", acks_late=True, reject_on_worker_lost=True)
def outbox_sweep() -> int:
    return services.outbox_sweep()
