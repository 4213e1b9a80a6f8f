from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "automations"
    verbose_name = "Automations"

    def ready(self) -> None:
        # Automations hear of CRM changes through the port the CRM announces them on.
        from automations.events import on_crm_change
        from outreach import events as crm_events

        crm_events.listen(on_crm_change)
