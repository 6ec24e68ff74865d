import sys

from django.conf import settings
from django.core import checks


def _running_tests() -> bool:
    return "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")


@checks.register(checks.Tags.security, deploy=False)
def sandbox_not_in_production(app_configs, **kwargs):
    """The sandbox signs nothing real: refuse it when DEBUG is off, except under tests."""
    if settings.ESIGN_SANDBOX_ENABLED and not settings.DEBUG and not _running_tests():
        if getattr(settings, "ESIGN_SANDBOX_DEPLOY_TEST", False):
            return [
                checks.Warning(
                    "ESIGN_SANDBOX_ENABLED is on with DEBUG=False for the CI deploy job "
                    "(ESIGN_SANDBOX_DEPLOY_TEST).",
                    hint="Never on a machine that serves the city.",
                    id="esign_sandbox.W001",
                )
            ]
        return [
            checks.Error(
                "ESIGN_SANDBOX_ENABLED is on with DEBUG=False.",
                hint="The local CloudSign sandbox must never run in production: "
                "set ESIGN_SANDBOX_ENABLED=False.",
                id="esign_sandbox.E001",
            )
        ]
    return []
