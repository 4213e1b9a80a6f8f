"""Django admin for engagement scoring: a support tool to look up a score and its history."""

from django.contrib import admin

from engagement.models import EngagementOverrideHistory, EngagementSettings, MemberEngagement


class OverrideHistoryInline(admin.TabularInline):
    model = EngagementOverrideHistory
    extra = 0
    can_delete = False
    fields = [
        "performed_at",
        "action",
        "previous_level",
        "new_level",
        "performed_by_label",
        "notes",
    ]
    readonly_fields = fields


@admin.register(MemberEngagement)
class MemberEngagementAdmin(admin.ModelAdmin):
    list_display = [
        "contact",
        "level",
        "computed_level",
        "override_level",
        "workspace",
        "computed_at",
    ]
    list_filter = ["level", "model_version"]
    list_select_related = ["contact", "workspace"]
    search_fields = ["contact__first_name", "contact__last_name", "contact__email"]
    autocomplete_fields = ["workspace", "contact", "overridden_by"]
    readonly_fields = ["signals", "signals_hash", "model_version", "fallback_reason", "computed_at"]
    inlines = [OverrideHistoryInline]


@admin.register(EngagementSettings)
class EngagementSettingsAdmin(admin.ModelAdmin):
    list_display = ["workspace", *EngagementSettings.DEFAULTS, "updated_at"]
    list_select_related = ["workspace"]
    autocomplete_fields = ["workspace", "updated_by"]
