"""Django admin for automations: a support tool to look at rules, events and runs."""

from django.contrib import admin

from automations.models import (
    Automation,
    AutomationActionRun,
    AutomationEvent,
    AutomationExecution,
)

# Workspaces, users and rules are picked by autocomplete. Events and runs are the big tables
# (every CRM change makes an event, every matching rule a run), have no name to search by and
# are reached by id from a page or a log line, so references to them stay raw ids.


@admin.register(Automation)
class AutomationAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "trigger_type", "enabled", "updated_at"]
    list_filter = ["enabled", "trigger_type"]
    list_select_related = ["workspace"]
    search_fields = ["name"]
    # Autocomplete pages through this order; without one, its pages may repeat or skip rules.
    ordering = ["name"]
    autocomplete_fields = ["workspace", "created_by"]
    exclude = ["signing_secret"]


@admin.register(AutomationEvent)
class AutomationEventAdmin(admin.ModelAdmin):
    list_display = ["pk", "event_type", "workspace", "status", "cascade_depth", "created_at"]
    list_filter = ["status", "event_type"]
    list_select_related = ["workspace"]
    autocomplete_fields = ["workspace"]
    raw_id_fields = ["caused_by_execution"]


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
    autocomplete_fields = ["workspace", "automation", "stopped_by"]
    raw_id_fields = ["event"]
    readonly_fields = ["lease_token", "lease_expires_at", "enqueued_at", "resumed_at"]
    inlines = [ActionRunInline]
