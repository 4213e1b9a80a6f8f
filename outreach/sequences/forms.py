"""Dashboard forms for sequences: the editor (a sequence and its steps), enrolling contacts from
a prospect's page, and pausing or stopping an enrollment."""

from typing import Any

from django import forms

from outreach.models import Contact, OutreachLog, Prospect, SequenceTemplate


class SequenceForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class StepForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # An initial value, so the blank "add a step" form counts as unchanged until filled in.
    channel = forms.ChoiceField(
        choices=OutreachLog.Channel.choices, initial=OutreachLog.Channel.EMAIL
    )
    delay_days = forms.IntegerField(min_value=0, max_value=365, initial=0, label="Wait (days)")
    delay_hours = forms.IntegerField(min_value=0, max_value=720, initial=0, label="+ hours")
    subject_template = forms.CharField(required=False, max_length=300, label="Subject")
    body_template = forms.CharField(
        required=False,
        max_length=20_000,
        label="Body or script",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    email_template_id = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Template",
        help_text="An email step may take its subject and body from the library; they "
        "replace the ones below.",
    )
    auto_send = forms.BooleanField(required=False, label="Send by itself (email only)")

    def __init__(self, *args, email_templates: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_template_id"].choices = [
            ("", "None: the subject and body below"),
            *email_templates,
        ]

    def step(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.fields if name != "id"}
        data.pop("ORDER", None)
        data.pop("DELETE", None)
        if self.cleaned_data.get("id"):
            data["id"] = self.cleaned_data["id"]
        return data


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True, can_order=True)


def steps_from(formset) -> list[dict[str, Any]]:
    """The steps a valid formset describes (left out: deleted ones and the blank extra form),
    in the order the rep numbered them."""
    return [form.step() for form in formset.ordered_forms]


def formset_initial(template: SequenceTemplate) -> list[dict[str, Any]]:
    return [
        {
            "id": step.pk,
            "channel": step.channel,
            "delay_days": step.delay_days,
            "delay_hours": step.delay_hours,
            "subject_template": step.subject_template,
            "body_template": step.body_template,
            "email_template_id": step.email_template_id,
            "auto_send": step.auto_send,
            "ORDER": step.position,
        }
        for step in template.steps.all()
    ]


def show_step_errors(formset, field_errors: dict[str, list[str]]) -> bool:
    """Put a service's `steps.<index>.<field>` errors on the matching step form."""
    forms_in_order = formset.ordered_forms
    shown = False
    for key, messages in field_errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "steps" and parts[1].isdigit():
            index, field = int(parts[1]), parts[2]
            if index < len(forms_in_order) and field in forms_in_order[index].fields:
                forms_in_order[index].add_error(field, messages)
                shown = True
    return shown


class EnrollForm(forms.Form):
    sequence = forms.ModelChoiceField(queryset=SequenceTemplate.objects.none())
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, prospect: Prospect, sequences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sequence"].queryset = SequenceTemplate.objects.filter(
            pk__in=[sequence.pk for sequence in sequences]
        )
        self.fields["sequence"].choices = [("", "Choose a sequence")] + [
            (sequence.pk, sequence.name) for sequence in sequences
        ]
        contacts = list(prospect.contacts.all())
        self.fields["contacts"].queryset = Contact.objects.filter(
            pk__in=[contact.pk for contact in contacts]
        )
        self.fields["contacts"].choices = [(contact.pk, str(contact)) for contact in contacts]


class PauseForm(forms.Form):
    reason = forms.CharField(required=False, max_length=200)
    until = forms.DateField(
        required=False, label="Resume on", widget=forms.DateInput(attrs={"type": "date"})
    )


class StopForm(forms.Form):
    reason = forms.CharField(required=False, max_length=200)
