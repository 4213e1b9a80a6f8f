"""Forms of the CRM pages: list filters and a new touch task."""

from django import forms

from outreach.models import OutreachLog, Prospect


class ProspectFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Prospect.Status.choices]
    )
    tag = forms.CharField(required=False, max_length=60)


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
