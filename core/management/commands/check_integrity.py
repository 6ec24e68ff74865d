"""manage.py check_integrity — the nightly integrity check, now (exit status 1 on a problem)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core import integrity


class Command(BaseCommand):
    help = "保存ファイルを記録済みの SHA-256 と照合します（夜間の整合性チェックと同じ処理）。"

    def handle(self, *args, **options) -> None:
        result = integrity.check_all()
        self.stdout.write(f"確認 {result['checked']} 件、不一致 {result['problems']} 件")
        if result["problems"]:
            raise CommandError("不一致があります（監査ログと管理者宛てメールを確認してください）。")
