"""Celery tasks of workspaces: notification emails.

Each task imports its service when it runs: the services enqueue these tasks, so importing them
at load time would make the two modules import each other."""

from celery import shared_task


@shared_task(name="outreach.send_notification_emails", acks_late=True, reject_on_worker_lost=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    from outreach.workspaces.services import notifications as notification_services

    return sum(
        notification_services.notification_email_send(notification_id=pk) for pk in notification_ids
    )
