"""Celery tasks of the wizard: rendering the PDF reports ahead of the prospects' downloads.

The task imports its service when it runs: the services enqueue it, so importing them at load
time would make the two modules import each other."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="outreach.wizard_reports_render",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def wizard_reports_render(link_ids: list[int]) -> int:
    """Store the current report of each live link; returns how many were rendered.

    Running it twice renders nothing more: a report is stored under the digest of its content,
    and one whose content is stored already is left as it is."""
    from outreach.wizard import report

    return report.reports_render(link_ids=link_ids)
