"""The public prospect wizard: unguessable links a rep sends, and how far the prospect got."""

import secrets

from django.conf import settings
from django.db import models

from outreach.models.crm import Prospect
from outreach.models.workspaces import Workspace

# Steps of the wizard, in order. Reaching ENGAGED_STEP is the signal that the prospect engaged.
WIZARD_STEPS = ("welcome", "about", "video", "next")
ENGAGED_STEP = 3


def new_wizard_token() -> str:
    # 192 random bits: guessing one is hopeless, and the pages rate-limit wrong guesses anyway.
    return secrets.token_urlsafe(24)


class WizardLink(models.Model):
    """A prospect's link to their wizard (/w/<token>/). Revoked links lead nowhere.

    The token is kept as is (not hashed) because reps copy the link again whenever they write to
    the prospect; it opens only that prospect's public pages.
    """

    TOKEN_PATTERN = r"[A-Za-z0-9_-]{32}"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="wizard_links")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="wizard_links")
    token = models.CharField(max_length=64, unique=True, default=new_wizard_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["prospect", "created_at"], name="wizardlink_prospect_created"),
        ]

    def __str__(self) -> str:
        return f"Wizard link for {self.prospect} ({'revoked' if self.revoked_at else 'active'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def path(self) -> str:
        return f"/w/{self.token}/"

    @property
    def url(self) -> str:
        return f"{settings.SITE_URL}{self.path}"


class WizardSession(models.Model):
    """What the prospect did with one link: the furthest step, visits and report downloads."""

    link = models.OneToOneField(WizardLink, on_delete=models.CASCADE, related_name="session")
    # Only ever grows: a prospect going back to step 1 has still seen step 3.
    max_step = models.PositiveSmallIntegerField(default=0)
    step_views = models.PositiveIntegerField(default=0)
    first_visit_at = models.DateTimeField(null=True, blank=True)
    last_visit_at = models.DateTimeField(null=True, blank=True)
    engaged_at = models.DateTimeField(null=True, blank=True)
    pdf_downloads = models.PositiveIntegerField(default=0)
    last_pdf_download_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.link.prospect}: step {self.max_step} of {len(WIZARD_STEPS)}"

    @property
    def step_count(self) -> int:
        return len(WIZARD_STEPS)
