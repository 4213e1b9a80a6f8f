"""Celery tasks of replies: triage, the sweep for replies whose triage was lost, and the
retention of full messages.

Each task imports its service when it runs: the services enqueue these tasks, so importing them
at load time would make the two modules import each other."""

from celery import shared_task
from celery.signals import worker_init


@worker_init.connect
def warm_the_offline_classifier(**kwargs: object) -> None:
    """Train the offline reply classifier in the worker's main process, before it starts its
    pool: each child it forks starts with the model, rather than training it while the first
    reply it is handed waits."""
    from outreach.replies.inbound.model import shipped_model

    shipped_model()


@shared_task(name="outreach.process_reply", acks_late=True, reject_on_worker_lost=True)
def process_reply(reply_id: int) -> str:
    from outreach.replies.services import triage

    return triage.reply_process(reply_id=reply_id)


@shared_task(name="outreach.sweep_unprocessed_replies", acks_late=True, reject_on_worker_lost=True)
def sweep_unprocessed_replies() -> int:
    from outreach.replies.services import intake

    return intake.replies_sweep_unprocessed()


@shared_task(name="outreach.replies.retention_sweep", acks_late=True, reject_on_worker_lost=True)
def retention_sweep() -> int:
    """Drop the full message of old replies that have been dealt with (the reply stays)."""
    from outreach.replies.services import retention

    return retention.reply_full_messages_prune()
