"""Dashboard forms of engagement scoring: the list filters, an override, and the thresholds."""

from django import forms

from engagement.models import EngagementLevel, EngagementSettings


class EngagementFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    level = forms.ChoiceField(required=False, choices=[("", "Any level"), *EngagementLevel.choices])
    overridden = forms.ChoiceField(
        required=False,
        choices=[("", "Computed or overridden"), ("yes", "Overridden"), ("no", "Computed")],
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        overridden = {"yes": True, "no": False}.get(data.get("overridden") or "")
        return {
            "q": data.get("q", ""),
            "level": data.get("level") or None,
            "overridden": overridden,
        }


class OverrideForm(forms.Form):
    level = forms.ChoiceField(choices=[("", "Choose a level"), *EngagementLevel.choices])
    notes = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Why this level? (required)"}),
    )
    expires_at = forms.DateTimeField(
        required=False,
        label="Until (optional)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty to keep the override until someone clears it.",
    )


class EngagementSettingsForm(forms.ModelForm):
    class Meta:
        model = EngagementSettings
        fields = list(EngagementSettings.DEFAULTS)
        labels = {
            "window_days": "Window (days)",
            "highly_engaged_min_events": "Highly engaged from (events in the window)",
            "moderate_min_events": "Moderate from (events in the window)",
            "new_contact_days": "New for (days after being added)",
            "inactive_after_days": "Inactive after (days without engagement)",
        }
        help_texts = {
            "window_days": "Events are counted over this many days; a contact with fewer than "
            "the moderate number in it is at risk.",
        }
