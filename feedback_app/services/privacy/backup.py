"""Backups of the database while the app keeps serving, and their restore.

SQLite: the online backup API (sqlite3 `Connection.backup`) copies a consistent snapshot page
by page while writers go on; a plain file copy of a live WAL database can miss the last
transactions (still in the -wal file) or catch a half-written page. The copy is checked
(`PRAGMA integrity_check`) before it replaces the destination, and it is a single file (journal
mode DELETE) that can be copied anywhere.

PostgreSQL: `pg_dump -Fc` (a consistent snapshot taken inside one transaction), restored with
`pg_restore --clean --if-exists --no-owner`. Connection settings go to the tools through the
PG* environment variables, so that no password appears in the process list.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    size: int
    submissions: int | None = None


def backend_of(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError("not a SQLite database file")
    return Path(url.database)


def create_backup(database_url: str, out: Path) -> BackupResult:
    backend = backend_of(database_url)
    if backend == "sqlite":
        return _sqlite_backup(sqlite_path(database_url), out)
    if backend == "postgresql":
        return _pg_dump(make_url(database_url), out)
    raise BackupError(f"no backup method for {backend}")


def restore_backup(database_url: str, source: Path) -> BackupResult:
    backend = backend_of(database_url)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    if backend == "sqlite":
        return _sqlite_restore(source, sqlite_path(database_url))
    if backend == "postgresql":
        return _pg_restore(make_url(database_url), source)
    raise BackupError(f"no restore method for {backend}")


def _check_sqlite_file(path: Path) -> int:
    """Integrity check of a backup; returns its number of submissions."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise BackupError(f"{path} failed the integrity check: {result}")
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not {"alembic_version", "submissions"} <= tables:
            raise BackupError(f"{path} is not a Tournée database")
        count: int = connection.execute("SELECT count(*) FROM submissions").fetchone()[0]
        return count
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from error
    finally:
        connection.close()


def _sqlite_backup(database: Path, out: Path) -> BackupResult:
    if not database.is_file():
        raise BackupError(f"{database} does not exist")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(database, timeout=30)
    target = sqlite3.connect(partial)
    try:
        # One step (pages=-1): a single read transaction, so the copy is one consistent
        # snapshot; in WAL mode it does not block the app's writers meanwhile.
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()
        source.close()
    count = _check_sqlite_file(partial)
    os.replace(partial, out)
    return BackupResult(out, "sqlite", out.stat().st_size, count)


def _sqlite_restore(source: Path, database: Path) -> BackupResult:
    count = _check_sqlite_file(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=30)
    try:
        # The backup API in reverse: it takes the destination's locks, so a restore never
        # leaves a half-written file even if something still has the database open.
        origin.backup(target)
    finally:
        target.close()
        origin.close()
    return BackupResult(database, "sqlite", database.stat().st_size, count)


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    settings = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    env.update({key: value for key, value in settings.items() if value})
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _pg_dump(url: URL, out: Path) -> BackupResult:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    result = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial)],
        env=_pg_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    os.replace(partial, out)
    return BackupResult(out, "postgresql", out.stat().st_size)


def _pg_restore(url: URL, source: Path) -> BackupResult:
    result = subprocess.run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            url.database or "",
            str(source),
        ],
        env=_pg_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    return BackupResult(source, "postgresql", source.stat().st_size)
