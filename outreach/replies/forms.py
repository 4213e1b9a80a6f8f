"""Forms of the reply inbox pages."""

from django import forms

from outreach.models import Reply

STATE_TABS = [
    ("open", "To review"),
    ("applied", "Acted on"),
    ("answered", "Answered"),
    ("ignored", "Ignored"),
    ("all", "All"),
]


class ReplyFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=STATE_TABS)
    intent = forms.ChoiceField(required=False, choices=[("", "Any intent"), *Reply.Intent.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Reply.Kind.choices])
    q = forms.CharField(required=False, max_length=200, label="Search")


class TriageForm(forms.Form):
    intent = forms.ChoiceField(choices=Reply.Intent.choices)


class LinkContactForm(forms.Form):
    email = forms.EmailField(label="Contact's email", max_length=254)


class AnswerForm(forms.Form):
    body = forms.CharField(max_length=50_000, label="Your answer")
