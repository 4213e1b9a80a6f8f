"""Django admin for campaigns: a support tool to see where a video stands."""

from django.contrib import admin

from campaigns.models import Campaign, CampaignProspect


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "workspace",
        "status",
        "total_prospects",
        "completed_prospects",
        "failed_prospects",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["workspace"]
    search_fields = ["name", "sender_name"]
    # Autocomplete pages through this order; without one, its pages may repeat or skip rows.
    ordering = ["-pk"]
    autocomplete_fields = ["workspace", "created_by"]


@admin.register(CampaignProspect)
class CampaignProspectAdmin(admin.ModelAdmin):
    list_display = ["prospect", "campaign", "status", "failed_step", "run_due_at", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["prospect", "campaign"]
    search_fields = ["prospect__name", "campaign__name"]
    ordering = ["-pk"]
    autocomplete_fields = ["workspace", "campaign", "prospect", "contact"]
    readonly_fields = ["media_key", "created_at", "updated_at"]
