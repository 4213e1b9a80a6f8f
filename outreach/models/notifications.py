"""In-app notifications for workspace members (also emailed)."""

from django.conf import settings
from django.db import models

from outreach.models.workspaces import Workspace


class Notification(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # A dashboard path to open, e.g. the prospect the notification is about.
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["recipient", "workspace", "created_at"], name="notification_inbox"
            ),
        ]

    def __str__(self) -> str:
        return self.title
