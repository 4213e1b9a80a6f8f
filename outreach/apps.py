from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        # The composition root of outreach's sub-domains: each connects itself to the ones
        # below it (panels on the prospect page, listeners on CRM changes, the mail intake).
        from outreach.mail import hooks as mail_hooks
        from outreach.meetings import hooks as meeting_hooks
        from outreach.replies import hooks as reply_hooks
        from outreach.sequences import hooks as sequence_hooks
        from outreach.wizard import hooks as wizard_hooks

        mail_hooks.connect()
        sequence_hooks.connect()
        reply_hooks.connect()
        meeting_hooks.connect()
        wizard_hooks.connect()
