# Run by `keiyaku-manage shell -c` in the CI deploy job: the job's data. The demo's departments,
# companies, cases and contract are built by seed_demo's own code (production refuses the command
# itself), then every demo user is made what a city's user would be: a new address, a password of
# the job's own (DEPLOY_PASSWORD) and no demo 2FA device, so `check --deploy` (portal.E001, run by
# the web unit before it starts) finds no demo user.
import os

from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from portal.management.commands.seed_demo import CONTRACTORS, STAFF

password = os.environ["DEPLOY_PASSWORD"]
with transaction.atomic():
    with override_settings(DJANGO_ENV="development"):
        call_command("seed_demo", verbosity=0)
    for email, *_ in STAFF + CONTRACTORS:
        user = User.objects.get(email=email)
        TOTPDevice.objects.filter(user=user).delete()
        user.email = "ci-" + email
        user.set_password(password)
        user.save()
print("data: demo cases and contract; users renamed ci-*, with the job's password")
