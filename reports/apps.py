from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Each report registers itself where its reads are defined.
        from reports import selectors  # noqa: F401
