"""Store every mailbox password again under the first key of MAILBOX_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand

from outreach.mail.services.mailboxes import mailbox_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt mailbox passwords with the first MAILBOX_ENCRYPTION_KEYS key; afterwards "
        "the older keys can be removed."
    )

    def handle(self, *args, **options) -> None:
        count = mailbox_keys_rotate()
        self.stdout.write(f"Re-encrypted the passwords of {count} mailboxes.")
