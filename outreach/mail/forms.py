"""Forms of the mail pages: a mailbox's settings, a template, and the composer."""

from django import forms

from outreach.models import Contact, EmailTemplate, Mailbox, TlsMode

SAVED = "Saved. Type a new one to replace it."


class MailboxForm(forms.Form):
    display_name = forms.CharField(max_length=200, label="Your name as recipients see it")
    email = forms.EmailField(max_length=254, label="Email address")
    signature = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    daily_limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        label="Emails a day",
        help_text="Blank: the workspace's limit.",
    )
    is_default = forms.BooleanField(required=False, label="Send from this mailbox by default")
    sending = forms.ChoiceField(choices=Mailbox.Sending.choices, label="Sending")
    smtp_host = forms.CharField(required=False, max_length=253, label="SMTP server")
    smtp_port = forms.IntegerField(min_value=1, max_value=65535, initial=587, label="Port")
    smtp_tls = forms.ChoiceField(choices=TlsMode.choices, label="TLS")
    smtp_username = forms.CharField(required=False, max_length=254, label="User name")
    smtp_password = forms.CharField(
        required=False,
        max_length=1000,
        label="Password",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    receiving = forms.ChoiceField(choices=Mailbox.Receiving.choices, label="Replies")
    imap_host = forms.CharField(required=False, max_length=253, label="IMAP server")
    imap_port = forms.IntegerField(min_value=1, max_value=65535, initial=993, label="Port")
    imap_tls = forms.ChoiceField(choices=TlsMode.choices, initial=TlsMode.TLS, label="TLS")
    imap_username = forms.CharField(required=False, max_length=254, label="User name")
    imap_password = forms.CharField(
        required=False,
        max_length=1000,
        label="Password",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    imap_folder = forms.CharField(max_length=200, initial="INBOX", label="Folder")

    def __init__(self, *args, mailbox: Mailbox | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox
        # A saved password is never shown again: the field says so and offers to replace it.
        for name in ("smtp_password", "imap_password"):
            if mailbox is not None and getattr(mailbox, f"{name}_encrypted"):
                self.fields[name].widget.attrs["placeholder"] = "••••••••  (saved)"
                self.fields[name].help_text = SAVED

    def passwords(self) -> dict[str, str | None]:
        """A typed password replaces the saved one; an empty field keeps it."""
        return {
            name: self.cleaned_data[name] or (None if self.mailbox is not None else "")
            for name in ("smtp_password", "imap_password")
        }

    def settings(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("smtp_password"), data.pop("imap_password")
        return data


def mailbox_initial(mailbox: Mailbox) -> dict:
    return {
        name: getattr(mailbox, name) for name in MailboxForm.base_fields if "password" not in name
    }


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=200)
    subject = forms.CharField(max_length=300)
    body = forms.CharField(max_length=50_000, widget=forms.Textarea(attrs={"rows": 10}))
    shared = forms.BooleanField(
        required=False, initial=True, label="Shared with the team (otherwise only you see it)"
    )


class ComposeForm(forms.Form):
    contact = forms.TypedChoiceField(coerce=int, label="To")
    mailbox = forms.TypedChoiceField(coerce=int, label="From")
    template = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Template"
    )
    subject = forms.CharField(required=False, max_length=300)
    body = forms.CharField(
        required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 9})
    )
    send_at = forms.DateTimeField(
        required=False,
        label="Send later (optional)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(
        self,
        *args,
        contacts: list[Contact],
        mailboxes: list[Mailbox],
        templates: list[EmailTemplate],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [
            (contact.pk, f"{contact} <{contact.email}>" if contact.email else str(contact))
            for contact in contacts
        ]
        self.fields["mailbox"].choices = [(m.pk, str(m)) for m in mailboxes]
        self.fields["template"].choices = [
            ("", "No template"),
            *((t.pk, t.name) for t in templates),
        ]
