"""Create an API key for a workspace from the command line and print it (shown only once)."""

from django.core.management.base import BaseCommand, CommandError

from outreach.models import Role, Workspace
from outreach.workspaces.services.workspaces import api_key_create


class Command(BaseCommand):
    help = "Create an API key in a workspace and print it. The key is not stored, only its hash."

    def add_arguments(self, parser) -> None:
        parser.add_argument("workspace", help="The workspace's slug.")
        parser.add_argument("--name", default="Command line")
        parser.add_argument("--role", choices=Role.values, default=Role.REP)

    def handle(self, *args, workspace: str, name: str, role: str, **options) -> None:
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with the slug {workspace!r}.")
        _, raw_key = api_key_create(workspace=target, name=name, role=role, by=None)
        self.stdout.write(raw_key)
