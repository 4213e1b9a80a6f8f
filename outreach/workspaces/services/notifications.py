"""Notifications to workspace members: a row in their dashboard inbox, and an email."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from outreach.models import Membership, Notification, Role, Workspace
from outreach.outbox.services import outbox_enqueue
from outreach.workspaces import tasks as workspace_tasks


def notify_admins(
    *, workspace: Workspace, title: str, body: str = "", link: str = ""
) -> list[Notification]:
    """Tell every admin of the workspace; the emails go out after the transaction commits."""

    admins = Membership.objects.filter(workspace=workspace, role=Role.ADMIN).values_list(
        "user_id", flat=True
    )
    with transaction.atomic():
        notifications = Notification.objects.bulk_create(
            Notification(
                workspace=workspace, recipient_id=user_id, title=title[:200], body=body, link=link
            )
            for user_id in admins
        )
        ids = [n.pk for n in notifications]
        if ids:
            outbox_enqueue(task=workspace_tasks.send_notification_emails, args=[ids])
    return notifications


def notifications_mark_read(*, workspace: Workspace, recipient: User) -> int:
    with transaction.atomic():
        return Notification.objects.filter(
            workspace=workspace, recipient=recipient, read_at__isnull=True
        ).update(read_at=timezone.now())


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification once; False when it was already sent or has no address."""
    notification = (
        Notification.objects.select_related("recipient", "workspace")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.email:
        return False
    # Claim it first, so a task run twice sends one email.
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    link = f"{settings.SITE_URL}{notification.link}" if notification.link else settings.SITE_URL
    send_mail(
        subject=f"[{notification.workspace.name}] {notification.title}",
        message=f"{notification.body}\n\nOpen: {link}\n".lstrip(),
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
    return True
