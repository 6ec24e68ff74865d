from django.core.management.base import BaseCommand

from core.version import portal_version


class Command(BaseCommand):
    help = "Prints the portal's release (the version in pyproject.toml; tags are vX.Y.Z)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(portal_version())
