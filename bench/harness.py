"""Start Tournée under gunicorn on a fresh, migrated database, for the bench/*.py scripts.

    with running_app("sqlite", workers=4) as app:
        ...  # app.base_url, app.stop_code, app.database_url, app.worker_pids(), app.log_text()

Everything goes through the same commands an operator would type: `flask --app feedback_app
db upgrade`, `flask --app feedback_app stops create ... --open` and `gunicorn wsgi:app`, with
DATABASE_URL and SECRET_KEY in the environment. On exit gunicorn is stopped (SIGTERM, then
SIGKILL to its own process group) and the database is removed: the temporary directory for
SQLite, `DROP DATABASE ... WITH (FORCE)` for PostgreSQL.

The app runs with its default configuration class (development): production differs only by
Secure cookies, which a client speaking plain HTTP to 127.0.0.1 would never send back.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")
BACKENDS = ("sqlite", "postgresql")


@dataclass
class RunningApp:
    backend: str
    database_url: str
    base_url: str
    stop_code: str
    process: subprocess.Popen
    log_path: Path

    def worker_pids(self) -> list[int]:
        """The gunicorn workers' pids (children of the master), e.g. to kill one in a soak."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def log_text(self) -> str:
        """Gunicorn's log and everything the workers wrote to stderr (tracebacks included)."""
        return self.log_path.read_text(errors="replace")

    def engine(self) -> Engine:
        return create_engine(self.database_url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, secret_key: str, extra: dict[str, str] | None = None) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "TOURNEE_ENV"}
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": secret_key, "PYTHONUNBUFFERED": "1"})
    env.update(extra or {})
    return env


def flask_cli(database_url: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run `flask --app feedback_app ARGS` against the database and return its stdout."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "feedback_app", *args],
        cwd=ROOT,
        env=app_env(database_url, "bench-cli", env),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _pg_admin() -> Engine:
    return create_engine(
        make_url(PG_SERVER_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """Yield the DATABASE_URL of a new empty database; remove the database afterwards."""
    if backend == "sqlite":
        workdir = Path(tempfile.mkdtemp(prefix="tournee-bench-"))
        try:
            yield f"sqlite:///{workdir / 'tournee.sqlite'}"
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}")
    name = f"tournee_bench_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def prepare_database(
    database_url: str,
    *,
    region: str = "marrakech-safi",
    city: str = "Marrakech",
    date: str = "2025-01-10",
) -> str:
    """Migrate the database and create one open stop; return the stop's code."""
    flask_cli(database_url, "db", "upgrade")
    out = flask_cli(
        database_url,
        "stops",
        "create",
        "--region",
        region,
        "--city",
        city,
        "--date",
        date,
        "--venue",
        "Bench",
        "--open",
    )
    return out.strip().splitlines()[-1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def stop_process(process: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM the gunicorn master (graceful), then SIGKILL its process group if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    # start_new_session made the master the leader of a group that holds only gunicorn.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _die_with_parent() -> None:
    # Runs in the child before exec: if the benchmark is killed outright (SIGKILL, no
    # unwinding), the kernel sends SIGTERM to the gunicorn master, which stops its workers.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextmanager
def gunicorn(
    database_url: str,
    log_path: Path,
    *,
    workers: int = 4,
    port: int | None = None,
    extra_args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run `gunicorn wsgi:app` (sync workers) on a free local port; yield (process, base_url)."""
    port = port or free_port()
    args = [
        str(BIN / "gunicorn"),
        "wsgi:app",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
        *extra_args,
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=app_env(database_url, secrets.token_hex(32), env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


@contextmanager
def running_app(
    backend: str,
    *,
    workers: int = 4,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
) -> Iterator[RunningApp]:
    """A fresh migrated database with one open stop, served by gunicorn until the block ends."""
    log_dir = log_dir or Path(tempfile.gettempdir())
    log_path = log_dir / f"tournee-bench-{backend}-{os.getpid()}.log"
    log_path.write_text("")
    with fresh_database(backend) as database_url:
        code = prepare_database(database_url)
        with gunicorn(database_url, log_path, workers=workers, env=env, extra_args=extra_args) as (
            process,
            base_url,
        ):
            wait_until_up(f"{base_url}/api/v1/stops/{code}", process)
            yield RunningApp(backend, database_url, base_url, code, process, log_path)
