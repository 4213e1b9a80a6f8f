"""Celery tasks of list work: CSV imports and bulk actions over large selections."""

from celery import shared_task

from outreach.lists.services import bulk, imports


@shared_task(name="outreach.import_run", acks_late=True, reject_on_worker_lost=True)
def import_run(job_id: int) -> str:
    """Import a queued CSV file; a job already claimed by another worker is left alone."""
    return imports.import_run(job_id=job_id)


@shared_task(name="outreach.bulk_action_run", acks_late=True, reject_on_worker_lost=True)
def bulk_action_run(action_id: int) -> str:
    """Run a queued bulk action; one already claimed is left alone."""
    return bulk.bulk_action_run(action_id=action_id)
