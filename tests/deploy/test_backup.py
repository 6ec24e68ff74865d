"""Backups that match: the dump and the files in one dated folder with their hashes, old ones
pruned; a restore only into an empty database and storage (the CI deploy job restores for real)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from core.backup import STAMP_FORMAT, backup, prune

JST = dt.timezone(dt.timedelta(hours=9))


@pytest.mark.django_db(transaction=True)
def test_backup_holds_the_database_and_every_file_with_its_hash(tmp_path):
    name = default_storage.save("application-schedule/2026/12/x.pdf", ContentFile(b"%PDF-1.7 x"))
    folder = backup(tmp_path / "backups", now=dt.datetime(2026, 12, 6, 1, 30, tzinfo=JST))
    assert folder.name == "20261206T013000"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == {name: hashlib.sha256(b"%PDF-1.7 x").hexdigest()}
    assert (folder / "files" / name).read_bytes() == b"%PDF-1.7 x"
    dump = folder / ("db.dump" if manifest["database"] == "postgresql" else "db.sqlite3")
    assert dump.stat().st_size > 0
    assert not list((tmp_path / "backups").glob(".*partial"))


def test_prune_keeps_the_retention_window_and_always_the_newest(tmp_path):
    now = dt.datetime(2026, 12, 31, 2, 0, tzinfo=JST)
    for days in (0, 10, 29, 31, 60):
        (tmp_path / (now - dt.timedelta(days=days)).strftime(STAMP_FORMAT)).mkdir()
    (tmp_path / "notes").mkdir()  # not a backup: left alone
    removed = prune(tmp_path, 30, now)
    assert len(removed) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [(now - dt.timedelta(days=d)).strftime(STAMP_FORMAT) for d in (0, 10, 29)] + ["notes"]
    )
    # Even past the window, the newest backup stays.
    only = tmp_path / "only"
    only.mkdir()
    (only / (now - dt.timedelta(days=90)).strftime(STAMP_FORMAT)).mkdir()
    assert prune(only, 30, now) == []


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    default_storage.save("kept.pdf", ContentFile(b"kept"))
    folder = backup(tmp_path)
    with pytest.raises(CommandError, match="復元先のデータベースが空ではありません"):
        call_command("restore", str(folder))
    assert default_storage.open("kept.pdf").read() == b"kept"
    assert default_storage.listdir("")[1] == ["kept.pdf"]


def test_restore_refuses_a_folder_without_a_backup(tmp_path):
    with pytest.raises(CommandError, match="バックアップ（manifest.json）が見つかりません"):
        call_command("restore", str(tmp_path))
