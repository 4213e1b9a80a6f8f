"""Celery tasks of the outreach app (thin: each calls one service).

The services enqueue these tasks, so each task imports its service when it runs rather than
when this module loads; that keeps the two free of import cycles whichever is loaded first.
"""

from celery import shared_task
from django.db import OperationalError

# A send that keeps failing for a transient reason is retried this many times, backing off
# from half a minute to ten minutes, before its step is marked not sent.
EMAIL_SEND_RETRIES = 5


@shared_task(name="outreach.send_notification_emails", acks_late=True, reject_on_worker_lost=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    from outreach.services import notifications as notification_services

    return sum(
        notification_services.notification_email_send(notification_id=pk) for pk in notification_ids
    )


@shared_task(
    name="outreach.engagement_call_task_create",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def engagement_call_task_create(prospect_id: int, trigger_source: str) -> str:
    """Create the call task for an engagement signal; returns why it was or was not created."""
    from outreach import engagement_triggers
    from outreach.models import Prospect

    prospect = Prospect.objects.select_related("workspace", "owner").filter(pk=prospect_id).first()
    if prospect is None:
        return "prospect_gone"
    result = engagement_triggers.create_engagement_call_task(
        prospect=prospect, trigger_source=trigger_source
    )
    return result.reason


@shared_task(name="outreach.process_reply", acks_late=True, reject_on_worker_lost=True)
def process_reply(reply_id: int) -> str:
    from outreach.services import replies as reply_services

    return reply_services.reply_process(reply_id=reply_id)


@shared_task(name="outreach.sweep_unprocessed_replies", acks_late=True, reject_on_worker_lost=True)
def sweep_unprocessed_replies() -> int:
    from outreach.services import replies as reply_services

    return reply_services.replies_sweep_unprocessed()


@shared_task(name="outreach.cadence_sweep", acks_late=True, reject_on_worker_lost=True)
def cadence_sweep() -> int:
    from outreach.services import cadence_engine

    return cadence_engine.cadence_sweep()


@shared_task(
    name="outreach.send_sequence_email",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=EMAIL_SEND_RETRIES,
)
def send_sequence_email(self, step_id: int) -> str:
    from outreach.services import cadence_engine

    outcome = cadence_engine.sequence_email_send(
        step_id=step_id, final_attempt=self.request.retries >= EMAIL_SEND_RETRIES
    )
    if outcome == "retry":
        raise self.retry(countdown=min(600, 30 * 2**self.request.retries))
    return outcome
