from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement scoring"

    def ready(self) -> None:
        # A contact's wizard page shows the friendly explanation of their score.
        from engagement.selectors import friendly_message_for
        from outreach.wizard.greetings import register_message_source

        register_message_source(friendly_message_for)
