"""Forms of the workspace settings pages."""

from django import forms

from outreach.models import Role


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REP)
