"""Django admin for every outreach model: a support tool, so lists are searchable and light."""

from django.contrib import admin

from outreach.models import (
    Activity,
    ApiKey,
    Contact,
    Deal,
    InboundMailbox,
    Membership,
    OutreachLog,
    OutreachSequence,
    OutreachStep,
    Pipeline,
    Prospect,
    Reply,
    ReplyEffect,
    ReplyTriage,
    SequenceTemplate,
    SequenceTemplateStep,
    Stage,
    Tag,
    WizardLink,
    WizardSession,
    Workspace,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "workspace"]
    raw_id_fields = ["user", "workspace"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "workspace",
        "role",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["workspace"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    raw_id_fields = ["workspace", "created_by"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "color"]
    list_select_related = ["workspace"]
    search_fields = ["name"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["first_name", "last_name", "email", "title", "outreach_status"]
    show_change_link = True


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "status", "workspace", "owner", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["workspace", "owner"]
    search_fields = ["name", "domain"]
    raw_id_fields = ["workspace", "owner"]
    filter_horizontal = ["tags"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "prospect", "outreach_status", "workspace"]
    list_filter = ["outreach_status"]
    list_select_related = ["prospect", "workspace"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["workspace", "prospect"]


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace"]
    list_select_related = ["workspace"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "pipeline", "position"]
    list_select_related = ["pipeline"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["name", "prospect", "pipeline", "stage", "value", "workspace"]
    list_select_related = ["prospect", "pipeline", "stage", "workspace"]
    search_fields = ["name"]
    raw_id_fields = ["workspace", "prospect", "contact", "owner", "pipeline", "stage"]


@admin.register(OutreachLog)
class OutreachLogAdmin(admin.ModelAdmin):
    list_display = ["subject", "log_type", "channel", "status", "priority", "due_at", "prospect"]
    list_filter = ["status", "channel", "log_type"]
    list_select_related = ["prospect"]
    search_fields = ["subject"]
    raw_id_fields = [
        "workspace",
        "prospect",
        "contact",
        "assignee",
        "created_by",
        "completed_by",
    ]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["kind", "prospect", "contact", "occurred_at"]
    list_filter = ["kind"]
    list_select_related = ["prospect", "contact"]
    raw_id_fields = ["workspace", "prospect", "contact"]


class SequenceTemplateStepInline(admin.TabularInline):
    model = SequenceTemplateStep
    extra = 0


@admin.register(SequenceTemplate)
class SequenceTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "updated_at"]
    list_select_related = ["workspace"]
    inlines = [SequenceTemplateStepInline]


class OutreachStepInline(admin.TabularInline):
    model = OutreachStep
    extra = 0
    raw_id_fields = ["outreach_log", "template_step"]


@admin.register(OutreachSequence)
class OutreachSequenceAdmin(admin.ModelAdmin):
    list_display = ["contact", "template", "status", "stop_reason", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["contact", "template"]
    raw_id_fields = ["workspace", "template", "prospect", "contact", "enrolled_by", "sender"]
    inlines = [OutreachStepInline]


class WizardSessionInline(admin.StackedInline):
    model = WizardSession
    can_delete = False
    readonly_fields = [
        "max_step",
        "step_views",
        "first_visit_at",
        "last_visit_at",
        "engaged_at",
        "pdf_downloads",
        "last_pdf_download_at",
    ]


@admin.register(WizardLink)
class WizardLinkAdmin(admin.ModelAdmin):
    list_display = ["prospect", "workspace", "created_at", "revoked_at"]
    list_select_related = ["prospect", "workspace"]
    search_fields = ["prospect__name"]
    readonly_fields = ["token", "created_at"]
    raw_id_fields = ["workspace", "prospect", "created_by"]
    inlines = [WizardSessionInline]


class ReplyTriageInline(admin.TabularInline):
    model = ReplyTriage
    extra = 0
    raw_id_fields = ["by"]


class ReplyEffectInline(admin.TabularInline):
    model = ReplyEffect
    extra = 0


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["subject", "from_email", "workspace", "kind", "intent", "state", "received_at"]
    list_filter = ["kind", "intent", "state", "source"]
    list_select_related = ["workspace"]
    search_fields = ["subject", "from_email", "message_id"]
    raw_id_fields = ["workspace", "contact", "prospect", "answers", "log_entry", "applied_by"]
    inlines = [ReplyTriageInline, ReplyEffectInline]


@admin.register(InboundMailbox)
class InboundMailboxAdmin(admin.ModelAdmin):
    list_display = ["workspace", "address_token", "created_at", "rotated_at"]
    list_select_related = ["workspace"]
    raw_id_fields = ["workspace"]
