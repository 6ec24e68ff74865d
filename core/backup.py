"""Backups that match: the database dump and a copy of every stored file, taken together into one
dated folder (``manage.py backup``), pruned after BACKUP_RETENTION_DAYS; ``manage.py restore``
puts both back into a fresh database and an empty storage (local disk or bucket) and re-hashes.

Secrets that live in the environment (SECRET_KEY, FIELD_ENCRYPTION_KEYS…) are never in a backup:
keep them apart (deploy/README: the key escrow); a restore needs the same keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection

STAMP_FORMAT = "%Y%m%dT%H%M%S"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Japanese)."""


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    environment = dict(os.environ)
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = db["PASSWORD"]  # never on a command line
    return args, environment


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} が見つかりません（PostgreSQL のクライアントをインストールしてください）。"
        )
    return path


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def walk_storage(prefix: str = "") -> list[str]:
    directories, files = default_storage.listdir(prefix)
    names = [f"{prefix}{name}" for name in files]
    for directory in directories:
        names += walk_storage(f"{prefix}{directory}/")
    return sorted(names)


def _sha256(fh) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def backup(destination: Path, now: dt.datetime | None = None) -> Path:
    """Dump the database, then copy every stored file (files are never overwritten, so every file
    the dump names is there); write the manifest of hashes; prune old backups."""
    now = now or dt.datetime.now().astimezone()
    destination.mkdir(parents=True, exist_ok=True)
    final = destination / now.strftime(STAMP_FORMAT)
    work = destination / f".{final.name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    (work / "files").mkdir(parents=True)
    if _postgres():
        args, environment = _pg_env()
        subprocess.run(  # noqa: S603
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(work / "db.dump"),
                *args,
            ],
            check=True,
            env=environment,
        )
    else:
        target = sqlite3.connect(work / "db.sqlite3")
        with sqlite3.connect(settings.DATABASES["default"]["NAME"]) as source:
            source.backup(target)
        target.close()
    hashes = {}
    for name in walk_storage():
        path = work / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, path.open("wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        with path.open("rb") as fh:
            hashes[name] = _sha256(fh)
    (work / MANIFEST).write_text(
        json.dumps(
            {
                "created": now.isoformat(),
                "database": connection.vendor,
                "media_storage": settings.MEDIA_STORAGE,
                "files": hashes,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    work.rename(final)
    prune(destination, settings.BACKUP_RETENTION_DAYS, now)
    return final


def prune(destination: Path, days: int, now: dt.datetime) -> list[Path]:
    """Remove the dated backups older than ``days``; the newest is always kept."""
    dated = []
    for path in destination.iterdir():
        try:
            taken = dt.datetime.strptime(path.name, STAMP_FORMAT).replace(tzinfo=now.tzinfo)
        except ValueError:
            continue
        dated.append((taken, path))
    dated.sort()
    removed = []
    for taken, path in dated[:-1]:
        if now - taken > dt.timedelta(days=days):
            shutil.rmtree(path)
            removed.append(path)
    return removed


def restore(source: Path) -> dict:
    """Into an empty database and an empty storage: the dump, then the files, checked by hash."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} にバックアップ（{MANIFEST}）が見つかりません。")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if connection.introspection.table_names():
        raise BackupError(
            "復元先のデータベースが空ではありません。新しいデータベースを作成してから復元してください。"
        )
    if walk_storage():
        raise BackupError(
            "復元先のファイル保管場所が空ではありません。新しい保管場所を指定してください。"
        )
    if _postgres():
        dump = source / "db.dump"
        if manifest["database"] != "postgresql" or not dump.is_file():
            raise BackupError("このバックアップは PostgreSQL のダンプではありません。")
        connection.close()
        args, environment = _pg_env()
        subprocess.run(  # noqa: S603
            [_tool("pg_restore"), "--no-owner", "--exit-on-error", *args, str(dump)],
            check=True,
            env=environment,
        )
    else:
        connection.close()
        shutil.copyfile(source / "db.sqlite3", settings.DATABASES["default"]["NAME"])
    restored = 0
    for name, expected in manifest["files"].items():
        path = source / "files" / name
        with path.open("rb") as fh:
            if _sha256(fh) != expected:
                raise BackupError(
                    f"バックアップのファイル {name} が破損しています（SHA-256 不一致）。"
                )
            fh.seek(0)
            saved = default_storage.save(name, File(fh, name=name))
        if saved != name:
            raise BackupError(f"ファイル {name} を同じ名前で復元できませんでした（{saved}）。")
        restored += 1
    return {"files": restored}
