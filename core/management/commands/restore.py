"""manage.py restore FOLDER — a backup into an empty database and an empty storage."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import integrity
from core.backup import BackupError, restore


class Command(BaseCommand):
    help = "バックアップを空のデータベースと空の保管場所に復元し、ファイルのハッシュを確認します。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options) -> None:
        try:
            result = restore(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        checked = integrity.check_all()
        self.stdout.write(
            f"復元しました: ファイル {result['files']} 件、"
            f"ハッシュ確認 {checked['checked']} 件、不一致 {checked['problems']} 件"
        )
        if checked["problems"]:
            raise CommandError("復元したファイルに不一致があります（監査ログを確認してください）。")
