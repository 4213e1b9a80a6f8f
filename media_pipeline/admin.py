"""Django admin for generation jobs: what each external call did, and why one failed."""

from django.contrib import admin

from media_pipeline.models import GenerationJob


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "campaign_prospect",
        "job_type",
        "scene_index",
        "status",
        "provider",
        "attempts",
        "due_at",
    ]
    list_filter = ["status", "job_type", "provider"]
    list_select_related = ["campaign_prospect__prospect", "campaign_prospect__campaign"]
    search_fields = ["external_id", "campaign_prospect__prospect__name"]
    # A campaign prospect is found by its prospect's or campaign's name.
    autocomplete_fields = ["workspace", "campaign_prospect"]
    readonly_fields = ["created_at", "updated_at"]
