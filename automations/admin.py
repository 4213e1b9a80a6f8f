"""Django admin for automations: a support tool to look at rules, events and runs."""

from django.contrib import admin

from automations.models import (
    Automation,
    AutomationActionRun,
    AutomationEvent,
    AutomationExecution,
)


@admin.register(Automation)
class AutomationAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "trigger_type", "enabled", "updated_at"]
    list_filter = ["enabled", "trigger_type"]
    list_select_related = ["workspace"]
    search_fields = ["name"]
    raw_id_fields = ["workspace", "created_by"]
    exclude = ["signing_secret"]


@admin.register(AutomationEvent)
class AutomationEventAdmin(admin.ModelAdmin):
    list_display = ["pk", "event_type", "workspace", "status", "cascade_depth", "created_at"]
    list_filter = ["status", "event_type"]
    list_select_related = ["workspace"]
    raw_id_fields = ["workspace", "caused_by_execution"]


class ActionRunInline(admin.TabularInline):
    model = AutomationActionRun
    extra = 0
    fields = ["action_index", "action_type", "status", "attempts", "duration_ms", "error"]
    readonly_fields = fields


@admin.register(AutomationExecution)
class AutomationExecutionAdmin(admin.ModelAdmin):
    list_display = ["pk", "automation", "status", "cascade_depth", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["automation"]
    raw_id_fields = ["workspace", "automation", "event", "stopped_by"]
    readonly_fields = ["lease_token", "lease_expires_at", "enqueued_at", "resumed_at"]
    inlines = [ActionRunInline]
