"""Forms of the CRM pages: list filters, a new touch task, the records' editors, logging a
touch, and closing or snoozing a task."""

from datetime import datetime, timedelta

from django import forms
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html

from config.errors import ApplicationError
from outreach.crm.selectors import CONTACT_SORTS, PROSPECT_SORTS
from outreach.crm.services.prospects import normalize_website
from outreach.models import CallOutcome, Contact, OutreachLog, Pipeline, Prospect, Workspace
from outreach.workspaces.selectors import workspace_members


class ProspectFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Prospect.Status.choices]
    )
    tag = forms.CharField(required=False, max_length=60)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in PROSPECT_SORTS])


class ContactFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    outreach_status = forms.ChoiceField(
        required=False, choices=[("", "Any outreach status"), *Contact.OutreachStatus.choices]
    )
    tag = forms.CharField(required=False, max_length=60)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in CONTACT_SORTS])


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=80, label="View name")
    list_name = forms.ChoiceField(choices=[("prospects", "Prospects"), ("contacts", "Contacts")])
    query = forms.CharField(required=False, max_length=1000)


class TaskFilterForm(forms.Form):
    scope = forms.ChoiceField(
        required=False, choices=[("mine", "My tasks"), ("all", "Everyone's")], initial="mine"
    )
    priority = forms.ChoiceField(
        required=False,
        choices=[("", "Any priority"), ("high", "High"), ("normal", "Normal"), ("low", "Low")],
    )


class TaskForm(forms.Form):
    subject = forms.CharField(max_length=300)
    channel = forms.ChoiceField(choices=OutreachLog.Channel.choices)
    priority = forms.ChoiceField(
        choices=[("normal", "Normal"), ("high", "High"), ("low", "Low")], initial="normal"
    )
    due_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    contact = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, prospect: Prospect, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "No contact")] + [
            (c.pk, str(c)) for c in prospect.contacts.all()
        ]


# --- Creating and editing records -----------------------------------------------------------
#
# These forms only read what was typed into Python values; every rule about the records
# themselves (a contact needs a name or an email, a stage must belong to the deal's pipeline,
# a domain is taken) is the services', and a view shows their errors next to these fields.


class TagsField(forms.CharField):
    """Tag names typed comma-separated, read as a list without repeats (any case)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("help_text", "Comma-separated; new tags are created.")
        # static/js/app.js offers the workspace's tags (#tag-options) for the name being typed.
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"list": "tag-options", "data-tags": "", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        names: dict[str, str] = {}
        for raw in text.split(","):
            name = " ".join(raw.split())
            if name:
                names.setdefault(name.lower(), name)
        if len(names) > 50:
            raise forms.ValidationError("At most 50 tags.")
        if any(len(name) > 60 for name in names.values()):
            raise forms.ValidationError("A tag name is at most 60 characters.")
        return list(names.values())

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


def member_choices(workspace: Workspace) -> list[tuple[str | int, str]]:
    return [("", "Nobody")] + [
        (m.user_id, m.user.get_full_name() or m.user.get_username())
        for m in workspace_members(workspace=workspace)
    ]


# The fields of the prospect page's header that a rep edits in place, with ProspectForm(only=).
INLINE_PROSPECT_FIELDS = ("status", "owner", "tags")


class ProspectForm(forms.Form):
    name = forms.CharField(max_length=200)
    website = forms.CharField(
        max_length=500, required=False, widget=forms.TextInput(attrs={"inputmode": "url"})
    )
    domain = forms.CharField(
        max_length=253, required=False, help_text="Taken from the website when left blank."
    )
    status = forms.ChoiceField(choices=Prospect.Status.choices, initial=Prospect.Status.NEW)
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    tags = TagsField()

    def __init__(self, *args, workspace: Workspace, only: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = member_choices(workspace)
        if only:
            # The prospect page edits one field in place with this same form.
            self.fields = {only: self.fields[only]}
            self.fields[only].widget.attrs["autofocus"] = True

    def clean_website(self) -> str:
        return normalize_website(self.cleaned_data["website"])


class CompanyInput(forms.TextInput):
    """A prospect's name, with the workspace's prospects that start with what is typed offered
    as it is typed (htmx fills #prospect-options)."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={
                "class": "wide",
                "list": "prospect-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("crm:prospect_options"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#prospect-options",
                "hx-swap": "innerHTML",
                **(attrs or {}),
            }
        )


class ContactForm(forms.Form):
    prospect = forms.CharField(
        max_length=200,
        label="Company",
        widget=CompanyInput,
    )
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(
        max_length=40, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    title = forms.CharField(max_length=200, required=False)
    time_zone = forms.CharField(
        max_length=64,
        required=False,
        help_text="Blank: the workspace's time zone.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    outreach_status = forms.ChoiceField(choices=Contact.OutreachStatus.choices)
    tags = TagsField()

    def __init__(self, *args, editing: bool, prospect_fixed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if prospect_fixed or editing:
            del self.fields["prospect"]
        else:
            self.fields["prospect"].help_text = format_html(
                'The prospect they work at. Not there yet? <a href="{}">Create it</a> first.',
                reverse("crm:prospect_create"),
            )
        if not editing:
            # New contacts start active; opting out and bouncing happen to them later.
            del self.fields["outreach_status"]


class DealForm(forms.Form):
    name = forms.CharField(max_length=200)
    prospect = forms.CharField(max_length=200, label="Company", widget=CompanyInput)
    stage = forms.TypedChoiceField(coerce=int)
    contact = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    value = forms.DecimalField(
        min_value=0, max_digits=14, decimal_places=2, initial=0, label="Value ($)"
    )
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    tags = TagsField()

    def __init__(
        self,
        *args,
        workspace: Workspace,
        pipelines: list[Pipeline],
        prospect: Prospect | None,
        only: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # Stages grouped by pipeline: choosing the stage chooses the pipeline too.
        stage_choices = [
            (pipeline.name, [(stage.pk, stage.name) for stage in pipeline.stages.all()])
            for pipeline in pipelines
        ]
        self.fields["stage"].choices = (
            stage_choices[0][1] if len(stage_choices) == 1 else stage_choices
        )
        self.fields["owner"].choices = member_choices(workspace)
        if prospect is not None:
            del self.fields["prospect"]
            self.fields["contact"].choices = [("", "No contact")] + [
                (contact.pk, str(contact)) for contact in prospect.contacts.all()
            ]
        else:
            # The contact is chosen among the prospect's once the deal has one.
            del self.fields["contact"]
        if only:
            self.fields = {only: self.fields[only]}


class TagForm(forms.Form):
    name = forms.CharField(max_length=60)
    color = forms.RegexField(
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#64748b",
        error_messages={"invalid": "A colour is # and six hexadecimal digits."},
        widget=forms.TextInput(attrs={"type": "color"}),
    )


class PipelineForm(forms.Form):
    name = forms.CharField(max_length=100)


class StageForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=100, required=False, label="Stage")


StageFormSet = forms.formset_factory(
    StageForm, extra=2, can_delete=True, can_order=True, max_num=30, validate_max=True
)


def stages_from(formset) -> list[dict]:
    """The stages a valid formset lists, in the order given (blank extra rows and deleted
    stages left out): what `pipeline_update` takes."""
    return [
        {"id": form.cleaned_data.get("id"), "name": form.cleaned_data.get("name", "")}
        for form in formset.ordered_forms
        if form.cleaned_data.get("name") or form.cleaned_data.get("id")
    ]


TOUCH_KINDS = [("call", "Call"), ("email", "Email sent elsewhere"), ("note", "Note")]


class TouchLogForm(forms.Form):
    kind = forms.ChoiceField(choices=TOUCH_KINDS, initial="call", widget=forms.RadioSelect)
    call_outcome = forms.ChoiceField(
        choices=CallOutcome.choices, required=False, widget=forms.RadioSelect, label="Outcome"
    )
    subject = forms.CharField(max_length=300, required=False)
    body = forms.CharField(
        max_length=20_000,
        required=False,
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    occurred_at = forms.DateTimeField(
        required=False,
        label="When",
        help_text="Blank: now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class TaskCompleteForm(forms.Form):
    call_outcome = forms.ChoiceField(
        choices=CallOutcome.choices,
        required=False,
        widget=forms.RadioSelect,
        label="What happened on the call?",
        error_messages={"required": "Choose what happened on the call."},
    )
    outcome = forms.CharField(
        max_length=5000, required=False, label="Note", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, task: OutreachLog, **kwargs):
        super().__init__(*args, **kwargs)
        if task.channel == OutreachLog.Channel.CALL:
            # In the dashboard a call is never done without saying how it went.
            self.fields["call_outcome"].required = True
        else:
            del self.fields["call_outcome"]


SNOOZE_CHOICES = [
    ("hour", "1 hour"),
    ("tomorrow", "Tomorrow 9:00"),
    ("next_week", "Monday 9:00"),
    ("custom", "Until…"),
]


class SnoozeForm(forms.Form):
    preset = forms.ChoiceField(choices=SNOOZE_CHOICES)
    until = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset:
            data["until"] = snooze_until(preset, data.get("until"))
            if data["until"] is None:
                self.add_error("until", "Choose when the task comes back.")
        return data


def snooze_until(preset: str, custom: datetime | None) -> datetime | None:
    """The moment a snooze choice means, in the current (the workspace's) time zone."""
    now = timezone.localtime()
    nine = {"hour": 9, "minute": 0, "second": 0, "microsecond": 0}
    if preset == "hour":
        return now + timedelta(hours=1)
    if preset == "tomorrow":
        return (now + timedelta(days=1)).replace(**nine)
    if preset == "next_week":
        return (now + timedelta(days=7 - now.weekday())).replace(**nine)
    return custom


def show_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's refusal next to the fields it names (`owner_id` is the form's `owner`),
    and above the form when it names none of them."""
    shown = False
    for key, messages in exc.field_errors.items():
        field = key.removesuffix("_id")
        if field in form.fields:
            form.add_error(field, messages)
            shown = True
    if not shown:
        form.add_error(None, exc.message)
