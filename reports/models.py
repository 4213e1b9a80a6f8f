"""Roll-ups the reports keep where the records themselves hold no history."""

from django.db import models

from engagement.models import EngagementLevel
from outreach.models import Workspace


class EngagementLevelDay(models.Model):
    """How many contacts a workspace had at each engagement level on one of its calendar days
    (as last recorded that day): scores keep only the current level, so the engagement report's
    "contacts per level over time" reads these."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    level = models.CharField(max_length=20, choices=EngagementLevel.choices)
    contacts = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "level"], name="engagementlevelday_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.contacts} {self.level}"
