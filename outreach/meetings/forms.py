"""Forms of meetings: booking a slot, a rep's working hours, and a new meeting type."""

from typing import Any

from django import forms

from outreach.meetings import selectors
from outreach.models import BookingPage

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class BookingForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(max_length=254, label="Your email")
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Anything we should know? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    start = forms.CharField(widget=forms.HiddenInput, max_length=40)
    tz = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email", inputmode="email")


class HoursForm(forms.Form):
    """One span of working hours a day (most reps need no more); an unticked day is off."""

    time_zone = forms.ChoiceField(label="Your time zone")

    def __init__(self, *args: Any, page: BookingPage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in selectors.time_zone_names()]
        self.fields["time_zone"].initial = page.time_zone
        self.days: list[tuple[str, forms.BoundField, forms.BoundField, forms.BoundField]] = []
        for number, name in enumerate(WEEKDAYS):
            spans = page.weekly_hours.get(str(number)) or []
            start, end = spans[0] if spans else ("09:00", "17:00")
            self.fields[f"on_{number}"] = forms.BooleanField(
                required=False, initial=bool(spans), label=name
            )
            self.fields[f"start_{number}"] = forms.TimeField(
                initial=start, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            )
            self.fields[f"end_{number}"] = forms.TimeField(
                initial=end, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            )
        for number, name in enumerate(WEEKDAYS):
            self.days.append(
                (name, self[f"on_{number}"], self[f"start_{number}"], self[f"end_{number}"])
            )

    def to_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        hours = {
            str(number): [
                [data[f"start_{number}"].strftime("%H:%M"), data[f"end_{number}"].strftime("%H:%M")]
            ]
            for number in range(7)
            if data.get(f"on_{number}")
        }
        return {"time_zone": data["time_zone"], "weekly_hours": hours}


class MeetingTypeForm(forms.Form):
    name = forms.CharField(max_length=100)
    duration_minutes = forms.IntegerField(min_value=5, max_value=480, initial=30, label="Minutes")
    buffer_minutes = forms.IntegerField(
        min_value=0, max_value=240, initial=10, label="Free minutes around it"
    )
    days_ahead = forms.IntegerField(
        min_value=1, max_value=90, initial=14, label="Bookable up to (days ahead)"
    )
    min_notice_minutes = forms.IntegerField(
        min_value=0, max_value=43200, initial=240, label="Minimum notice (minutes)"
    )
    description = forms.CharField(max_length=300, required=False)
