"""Dashboard forms of the campaigns app."""

from django import forms
from django.core.validators import validate_email

from campaigns.models import OfflineVoice
from campaigns.services import NewTarget
from outreach.models import Prospect, Workspace

NEW_PROSPECTS_HELP = (
    "One per line: contact name, company, title, website, email "
    "(e.g. Dana Reyes, Acme, VP Sales, acme.com, dana@acme.com). Only the company is required."
)


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    brief = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The offer and the ask, in your own words. The built-in script writer "
        "speaks it as written; with Claude connected it is the writer's brief.",
    )
    sender_name = forms.CharField(max_length=100, label="Your name")
    offline_voice = forms.ChoiceField(
        choices=OfflineVoice.choices,
        initial=OfflineVoice.US_MALE,
        label="Narrator",
        help_text="The built-in voice, used whenever ElevenLabs is not connected.",
    )
    words_per_minute = forms.IntegerField(
        min_value=110, max_value=220, initial=165, label="Speaking speed (words a minute)"
    )
    voice_id = forms.RegexField(
        regex=r"^[A-Za-z0-9_\-]*$",
        required=False,
        max_length=100,
        label="ElevenLabs voice id",
        help_text="Leave blank for the default voice.",
    )
    prospects = forms.ModelMultipleChoiceField(
        queryset=Prospect.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Prospects from your CRM",
    )
    new_prospects = forms.CharField(
        required=False,
        max_length=20_000,
        label="New prospects",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NEW_PROSPECTS_HELP,
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prospects"].queryset = Prospect.objects.filter(workspace=workspace).order_by(
            "name", "pk"
        )

    def clean_new_prospects(self) -> list[NewTarget]:
        targets = []
        for number, line in enumerate(self.cleaned_data["new_prospects"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(",")]
            name, company, title, website, email = (parts + [""] * 5)[:5]
            if not company:
                raise forms.ValidationError(
                    f"Line {number}: the company (second value) is missing."
                )
            if email:
                try:
                    validate_email(email)
                except forms.ValidationError as exc:
                    raise forms.ValidationError(f"Line {number}: {email} is not an email.") from exc
            targets.append(
                NewTarget(
                    company=company[:200],
                    website=website[:500],
                    contact_name=name[:200],
                    contact_title=title[:200],
                    contact_email=email[:254],
                )
            )
        return targets

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("prospects") and not cleaned.get("new_prospects"):
            raise forms.ValidationError("Choose prospects from your CRM or add new ones.")
        return cleaned
