"""The outbox: background work recorded in the same transaction as the change that causes it."""

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """A task to hand to a worker once the change that asked for it commits.

    The row is written inside the change's transaction and deleted once the broker took the
    task. While the broker is unreachable the row stays, and the beat sweep hands it out when
    the broker is back: an outage delays the work, it never drops it.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The sweep leaves the row alone before this: the publish after commit normally wins.
    next_attempt_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"
