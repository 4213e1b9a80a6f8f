"""The CRM records: prospects (companies), their contacts, tags, and deals in pipelines."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from outreach.models.querysets import TaggedQuerySet
from outreach.models.workspaces import Workspace, validate_time_zone


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)
    color = models.CharField(max_length=7, default="#64748b")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="tag_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Prospect(models.Model):
    class Status(models.TextChoices):
        NEW = "NEW", "New"
        CONTACTED = "CONTACTED", "Contacted"
        ENGAGED = "ENGAGED", "Engaged"
        MEETING = "MEETING", "Meeting"
        WON = "WON", "Won"
        LOST = "LOST", "Lost"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="prospects")
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True)
    website = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_prospects",
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="prospects")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaggedQuerySet.as_manager()

    class Meta:
        indexes = [
            # The list's order (name, then id for ties), so a page is read straight off the index.
            models.Index(fields=["workspace", "name", "id"], name="prospect_ws_name_id"),
            models.Index(fields=["workspace", "status"], name="prospect_ws_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "domain"],
                condition=~models.Q(domain=""),
                name="prospect_unique_domain",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    class OutreachStatus(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        OPTED_OUT = "OPTED_OUT", "Opted out"
        BOUNCED = "BOUNCED", "Bounced"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=200, blank=True)
    # Blank means the workspace's time zone.
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    outreach_status = models.CharField(
        max_length=10, choices=OutreachStatus.choices, default=OutreachStatus.ACTIVE
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaggedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["prospect", "created_at"], name="contact_prospect_created"),
            models.Index(fields=["workspace", "last_name", "first_name"], name="contact_ws_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=~models.Q(email=""),
                name="contact_unique_email",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Contact {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def effective_time_zone(self) -> str:
        return self.time_zone or self.workspace.time_zone


class Pipeline(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="pipelines")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="pipeline_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Deal(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="deals")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="deals")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    name = models.CharField(max_length=200)
    value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_deals",
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="deals")
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaggedQuerySet.as_manager()

    class Meta:
        indexes = [
            # Also the pipeline report's deals and value per stage, read from the index alone.
            models.Index(
                fields=["workspace", "pipeline", "stage"],
                include=["value", "id"],
                name="deal_ws_pipeline_stage",
            ),
            models.Index(fields=["prospect", "created_at"], name="deal_prospect_created"),
        ]

    def __str__(self) -> str:
        return self.name


class DealStageChange(models.Model):
    """A deal entering a stage (its creation enters the first one): the pipeline report reads
    stage-to-stage conversion and the time spent in each stage from these rows."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    # None when the deal was created in `to_stage`.
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    # Seconds the deal spent in `from_stage` before this move.
    seconds_in_from_stage = models.PositiveIntegerField(null=True, blank=True)
    changed_at = models.DateTimeField()
    # Filled by the deal's next move: whether it left `to_stage` for a later stage.
    moved_on = models.BooleanField(null=True, blank=True)

    class Meta:
        indexes = [
            # The pipeline report: one workspace's moves in a date range, with all it counts of
            # them, so that the rows themselves are not read.
            models.Index(
                fields=["workspace", "changed_at"],
                include=["to_stage", "from_stage", "moved_on", "seconds_in_from_stage", "id"],
                name="dealstagechange_ws_changed",
            ),
            models.Index(fields=["deal", "changed_at"], name="dealstagechange_deal"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"
