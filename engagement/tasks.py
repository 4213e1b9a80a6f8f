"""Celery tasks of engagement scoring (thin: each calls one service)."""

from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction

from engagement import services
from outreach.models import Contact, Workspace


@shared_task(name="engagement.compute_scores", acks_late=True, reject_on_worker_lost=True)
def compute_scores() -> int:
    """The daily run: one task per workspace, so workspaces are scored side by side."""
    workspace_ids = list(Workspace.objects.order_by("pk").values_list("pk", flat=True))
    for workspace_id in workspace_ids:
        transaction.on_commit(partial(compute_workspace_scores.delay, workspace_id))
    return len(workspace_ids)


@shared_task(name="engagement.compute_workspace_scores", acks_late=True, reject_on_worker_lost=True)
def compute_workspace_scores(workspace_id: int, after_contact_id: int = 0) -> int:
    """Score a workspace's changed contacts; when the time budget runs out, a follow-up task
    continues after the last contact done. Unchanged contacts are skipped, so a repeat is
    harmless."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    report = services.engagement_compute_workspace(
        workspace=workspace,
        after_contact_id=after_contact_id,
        time_budget_seconds=settings.ENGAGEMENT_TASK_TIME_BUDGET_SECONDS,
    )
    if report.resume_after is not None:
        resume_after = report.resume_after
        transaction.on_commit(
            lambda: compute_workspace_scores.delay(workspace_id, after_contact_id=resume_after)
        )
    return report.scored


@shared_task(name="engagement.compute_contact_score", acks_late=True, reject_on_worker_lost=True)
def compute_contact_score(contact_id: int) -> None:
    contact = Contact.objects.select_related("workspace").filter(pk=contact_id).first()
    if contact is None:
        return
    services.engagement_compute_contact(contact=contact)


@shared_task(name="engagement.clear_expired_overrides", acks_late=True, reject_on_worker_lost=True)
def clear_expired_overrides() -> int:
    return services.engagement_overrides_clear_expired()
