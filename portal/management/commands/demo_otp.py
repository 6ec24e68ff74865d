"""The current two-factor code of a demo staff user (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "デモ用: 職員の2段階認証の確認コード（現在有効なもの）を表示します（開発環境のみ）。"

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="keiyaku@city.ashikaga.example")

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG or getattr(settings, "DJANGO_ENV", "") == "production":
            raise CommandError("開発環境（DEBUG）でのみ使えます。本番環境では使えません。")
        device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
        if device is None:
            raise CommandError(f"{email} には2段階認証が設定されていません。")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{email} の確認コード: {code:0{device.digits}d}（30秒ごとに変わります）")
