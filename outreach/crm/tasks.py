"""Celery tasks of the CRM: the call task of an engagement signal.

Each task imports its service when it runs: the services enqueue these tasks, so importing them
at load time would make the two modules import each other."""

from celery import shared_task
from django.db import OperationalError


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
    from outreach.crm.services import engagement_triggers
    from outreach.models import Prospect

    prospect = Prospect.objects.select_related("workspace", "owner").filter(pk=prospect_id).first()
    if prospect is None:
        return "prospect_gone"
    result = engagement_triggers.create_engagement_call_task(
        prospect=prospect, trigger_source=trigger_source
    )
    return result.reason
