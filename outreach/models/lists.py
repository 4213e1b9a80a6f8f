"""Working with lists of records: CSV imports, bulk actions over a selection, saved list views."""

from django.conf import settings
from django.db import models

from outreach.models.workspaces import Workspace


class ImportJob(models.Model):
    """One CSV file of prospects and their contacts, read, mapped and imported in the background.

    The file itself lives in the storage (`source_file`); the rows it could not import are
    written back there as a CSV report (`error_report`)."""

    class Status(models.TextChoices):
        # Uploaded and read: waiting for the rep to check the mapping and start it.
        DRAFT = "draft", "Ready to map"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", "Skip: leave the existing record as it is"
        UPDATE = "update", "Update: fill the existing record with the file's values"
        CREATE = "create", "Create: add a new prospect anyway"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    source_file = models.CharField(max_length=500)
    encoding = models.CharField(max_length=20, default="utf-8")
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list)
    # The first rows as read, shown next to the mapping.
    preview = models.JSONField(default=list)
    # One field name per column ("" leaves the column out), see outreach.lists.csvfile.FIELDS.
    mapping = models.JSONField(default=list)
    on_duplicate = models.CharField(
        max_length=6, choices=OnDuplicate.choices, default=OnDuplicate.SKIP
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    # The first row errors ({"line": n, "reason": "..."}); every one is in the report file.
    errors = models.JSONField(default=list)
    error_report = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="import_ws_created")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class BulkAction(models.Model):
    """One action a member ran over a selection of prospects or contacts, and what it did."""

    class Target(models.TextChoices):
        PROSPECTS = "prospects", "Prospects"
        CONTACTS = "contacts", "Contacts"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="bulk_actions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=10, choices=Target.choices)
    action = models.CharField(max_length=20)
    # What the action needs: {"tag": "vip"}, {"sequence_id": 3}, {"status": "WON"}...
    params = models.JSONField(default=dict)
    # The selection: the ids picked, or the list's filter for "all matching".
    record_ids = models.JSONField(default=list)
    filters = models.JSONField(default=dict)
    select_all = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    # Records of the selection worked through; done and skipped count what the action did
    # (contacts enrolled, for prospects enrolled in a sequence).
    processed_count = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    # Why records were skipped, the first few ({"record": "...", "reason": "..."}).
    skipped = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="bulk_ws_created")]

    def __str__(self) -> str:
        return f"{self.action} on {self.total} {self.target}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class SavedView(models.Model):
    """A member's named filter and sort of a list, kept in its URL's query string."""

    class ListName(models.TextChoices):
        PROSPECTS = "prospects", "Prospects"
        CONTACTS = "contacts", "Contacts"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="saved_views")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_name = models.CharField(max_length=10, choices=ListName.choices)
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "owner", "list_name", "name"], name="saved_view_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name
