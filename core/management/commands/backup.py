"""manage.py backup DIRECTORY — the database dump and every stored file, in one dated folder."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from core.backup import backup


class Command(BaseCommand):
    help = "データベースと保存ファイルを日付付きフォルダにバックアップします。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options) -> None:
        folder = backup(directory)
        self.stdout.write(f"バックアップを作成しました: {folder}")
