"""Forms of list work: the CSV upload, its column mapping, and a bulk action's choices."""

from django import forms
from django.conf import settings

from outreach.lists import csvfile
from outreach.models import ImportJob, Prospect


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Prospects with their contacts, one a row.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            limit = settings.IMPORT_MAX_FILE_BYTES // 1_000_000
            raise forms.ValidationError(f"The file is larger than {limit} MB.")
        return upload


def column_choices(header: str) -> list[tuple[str, str]]:
    return [
        ("", "Leave out"),
        ("Company", [(k, v) for k, v in csvfile.PROSPECT_FIELDS.items()]),
        ("Contact", [(k, v) for k, v in csvfile.CONTACT_FIELDS.items()]),
        (
            f"{csvfile.CUSTOM_PREFIX}{csvfile.custom_key(header)}",
            f"Custom field: {csvfile.custom_key(header)}",
        ),
    ]  # type: ignore[list-item]


class ImportMappingForm(forms.Form):
    """One choice per column of the file, and what to do with duplicates."""

    on_duplicate = forms.ChoiceField(
        choices=ImportJob.OnDuplicate.choices,
        initial=ImportJob.OnDuplicate.SKIP,
        widget=forms.RadioSelect,
        label="When a prospect (same domain) or a contact (same email) already exists",
    )

    def __init__(self, *args, job: ImportJob, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        for index, header in enumerate(job.headers):
            self.fields[f"column-{index}"] = forms.ChoiceField(
                required=False,
                choices=column_choices(header),
                label=header or f"Column {index + 1}",
                initial=job.mapping[index] if index < len(job.mapping) else "",
            )

    def columns(self):
        """Each column's choice with its first values in the file."""
        return [
            (self[f"column-{index}"], [row[index] for row in self.job.preview if index < len(row)])
            for index in range(len(self.job.headers))
        ]

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"column-{i}", "") for i in range(len(self.job.headers))]


class BulkActionForm(forms.Form):
    target = forms.ChoiceField(choices=[("prospects", "Prospects"), ("contacts", "Contacts")])
    action = forms.CharField(max_length=20)
    select_all = forms.BooleanField(required=False)
    sequence_id = forms.CharField(required=False, max_length=20)
    tag = forms.CharField(required=False, max_length=60)
    owner_id = forms.CharField(required=False, max_length=20)
    status = forms.ChoiceField(required=False, choices=[("", ""), *Prospect.Status.choices])
    # The list's filter, for "all matching".
    q = forms.CharField(required=False, max_length=200)
    filter_status = forms.CharField(required=False, max_length=12)
    filter_tag = forms.CharField(required=False, max_length=60)
    outreach_status = forms.CharField(required=False, max_length=10)

    def record_ids(self) -> list[int]:
        """The ticked rows (each an `ids` value); anything that is not an id is ignored."""
        values = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        return [int(v) for v in values[:10_000] if v.isdigit() and len(v) < 19]
