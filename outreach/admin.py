"""Django admin for every outreach model: a support tool, so lists are searchable and light."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet

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

# Foreign keys are picked by autocomplete (a search box that loads a page of matches), which
# stays light however many workspaces, users, prospects or contacts there are; an admin that
# autocomplete searches has an `ordering`, without which its pages may repeat or skip rows.
# The outreach log is the exception: millions of rows with no name to search by, reached from
# an id seen in a page or a log line, so references to it stay raw ids.


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "workspace"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    autocomplete_fields = ["user", "workspace"]


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
    autocomplete_fields = ["workspace", "created_by"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "color"]
    list_select_related = ["workspace"]
    search_fields = ["name"]
    autocomplete_fields = ["workspace"]


class ContactInlineFormSet(BaseInlineFormSet):
    def _construct_form(self, i: int, **kwargs: object) -> forms.ModelForm:
        form = super()._construct_form(i, **kwargs)
        # A contact belongs to its prospect's workspace, which the inline does not ask for: a
        # new one takes it from the prospect (already built from the main form when the
        # inline forms are validated, even on the add page).
        if form.instance._state.adding:
            form.instance.workspace_id = self.instance.workspace_id
        return form


class ContactInlineForm(forms.ModelForm):
    def validate_unique(self) -> None:
        super().validate_unique()
        # Django skips the constraints on fields the form does not show, and the workspace is
        # one: check them here, or a second contact with the same email fails as a 500. The
        # prospect may not be saved yet, so its constraints are left to the database.
        try:
            self.instance.validate_constraints(exclude={"prospect"})
        except ValidationError as error:
            self._update_errors(error)


class ContactInline(admin.TabularInline):
    model = Contact
    form = ContactInlineForm
    formset = ContactInlineFormSet
    extra = 0
    fields = ["first_name", "last_name", "email", "title", "outreach_status"]
    show_change_link = True


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "status", "workspace", "owner", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["workspace", "owner"]
    search_fields = ["name", "domain"]
    ordering = ["-pk"]
    autocomplete_fields = ["workspace", "owner"]
    filter_horizontal = ["tags"]
    # Websites typed without a scheme are read as https, Django 6's default (and saying so
    # keeps Django 5.2 from warning on every form).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "prospect", "outreach_status", "workspace"]
    list_filter = ["outreach_status"]
    list_select_related = ["prospect", "workspace"]
    search_fields = ["first_name", "last_name", "email"]
    ordering = ["-pk"]
    autocomplete_fields = ["workspace", "prospect"]


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace"]
    list_select_related = ["workspace"]
    search_fields = ["name", "workspace__name"]
    ordering = ["name"]
    autocomplete_fields = ["workspace"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "pipeline", "position"]
    list_select_related = ["pipeline"]
    search_fields = ["name", "pipeline__name"]
    autocomplete_fields = ["pipeline"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["name", "prospect", "pipeline", "stage", "value", "workspace"]
    list_select_related = ["prospect", "pipeline", "stage", "workspace"]
    search_fields = ["name"]
    autocomplete_fields = ["workspace", "prospect", "contact", "owner", "pipeline", "stage"]


@admin.register(OutreachLog)
class OutreachLogAdmin(admin.ModelAdmin):
    list_display = ["subject", "log_type", "channel", "status", "priority", "due_at", "prospect"]
    list_filter = ["status", "channel", "log_type"]
    list_select_related = ["prospect"]
    search_fields = ["subject"]
    autocomplete_fields = [
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
    autocomplete_fields = ["workspace", "prospect", "contact"]


class SequenceTemplateStepInline(admin.TabularInline):
    model = SequenceTemplateStep
    extra = 0


@admin.register(SequenceTemplate)
class SequenceTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "updated_at"]
    list_select_related = ["workspace"]
    search_fields = ["name", "workspace__name"]
    ordering = ["name"]
    autocomplete_fields = ["workspace", "created_by"]
    inlines = [SequenceTemplateStepInline]


class OutreachStepInline(admin.TabularInline):
    model = OutreachStep
    extra = 0
    # Template steps have no admin of their own to search (they are edited inside their
    # template), and the outreach log is too big for a select.
    raw_id_fields = ["outreach_log", "template_step"]


@admin.register(OutreachSequence)
class OutreachSequenceAdmin(admin.ModelAdmin):
    list_display = ["contact", "template", "status", "stop_reason", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["contact", "template"]
    search_fields = ["contact__email", "template__name"]
    autocomplete_fields = ["workspace", "template", "prospect", "contact", "enrolled_by", "sender"]
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
    autocomplete_fields = ["workspace", "prospect", "created_by"]
    inlines = [WizardSessionInline]


class ReplyTriageInline(admin.TabularInline):
    model = ReplyTriage
    extra = 0
    autocomplete_fields = ["by"]


class ReplyEffectInline(admin.TabularInline):
    model = ReplyEffect
    extra = 0


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["subject", "from_email", "workspace", "kind", "intent", "state", "received_at"]
    list_filter = ["kind", "intent", "state", "source"]
    list_select_related = ["workspace"]
    search_fields = ["subject", "from_email", "message_id"]
    autocomplete_fields = ["workspace", "contact", "prospect", "applied_by"]
    raw_id_fields = ["answers", "log_entry"]  # outreach log entries
    inlines = [ReplyTriageInline, ReplyEffectInline]


@admin.register(InboundMailbox)
class InboundMailboxAdmin(admin.ModelAdmin):
    list_display = ["workspace", "address_token", "created_at", "rotated_at"]
    list_select_related = ["workspace"]
    autocomplete_fields = ["workspace"]
