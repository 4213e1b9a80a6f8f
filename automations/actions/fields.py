"""Builder form fields that the actions share: pickers of workspace records, texts and areas."""

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join

# The builder's grid gives an input with this class a whole row.
WIDE = {"class": "wide"}


def optional(choices: Sequence, empty: str = "Any") -> list:
    """The choices with a first, empty one that says what choosing nothing means."""
    return [("", empty), *choices]


def pick(
    choices: Sequence, label: str, *, required: bool = True, empty: str = "Choose…"
) -> forms.TypedChoiceField:
    """A select of workspace records (tags, stages…) whose value is the record's id."""
    return forms.TypedChoiceField(
        choices=optional(choices, empty),
        coerce=int,
        empty_value=None,
        required=required,
        label=label,
    )


def text(
    label: str,
    *,
    required: bool = True,
    max_length: int = 300,
    wide: bool = False,
    suggestions: Iterable[str] = (),
    **attrs: str,
) -> forms.CharField:
    widget = SuggestingTextInput(suggestions) if suggestions else forms.TextInput()
    widget.attrs.update({**attrs, **(WIDE if wide else {})})
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)


def area(
    label: str, *, required: bool = True, rows: int = 3, max_length: int = 20_000
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class SuggestingTextInput(forms.TextInput):
    """A text input that brings its own <datalist> of suggestions: an action row swapped in by
    htmx then carries them, and the page needs to know nothing about the action."""

    def __init__(self, suggestions: Iterable[str], attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.suggestions = list(suggestions)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or name}-suggestions"
        attrs["list"] = list_id
        options = format_html_join("", '<option value="{}">', ((s,) for s in self.suggestions))
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )
