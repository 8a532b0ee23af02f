"""Services a fault test starts, breaks and restarts itself: a PostgreSQL cluster, a Redis
server, a tiny filesystem, the app under gunicorn. Nothing here touches the shared servers.

Each helper is a context manager that stops what it started, whatever the test did. Skips say
what is missing: Debian's PostgreSQL binaries (/usr/lib/postgresql/*/bin), redis-server, root
for mounting a tmpfs. CI has them all.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def needs_postgresql_binaries() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        _pg_bin() is None, reason="Debian's PostgreSQL binaries (/usr/lib/postgresql/*/bin) absent"
    )


@dataclass
class Postgres:
    """A cluster of the test's own, on a free port, trusting local connections."""

    bin: Path
    data: Path
    port: int
    user: str | None  # initdb refuses root: as root, the cluster runs as this system user

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres?connect_timeout=2"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off",
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextlib.contextmanager
def own_postgres() -> Iterator[Postgres]:
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("Debian's PostgreSQL binaries (/usr/lib/postgresql/*/bin) absent")
    user = "postgres" if os.geteuid() == 0 else None
    # Outside pytest's tmp_path: that one is private to root, and the cluster's user must own it.
    base = Path(tempfile.mkdtemp(prefix="tournee-pg-"))
    data = base / "data"
    data.mkdir()
    if user:
        shutil.chown(base, user)
        shutil.chown(data, user)
    pg = Postgres(pg_bin, data, free_port(), user)
    pg._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
    pg.start()
    try:
        yield pg
    finally:
        with contextlib.suppress(Exception):
            pg.stop()
        shutil.rmtree(base, ignore_errors=True)


# --- Redis -------------------------------------------------------------------------------------


def needs_redis_server() -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server absent")


@dataclass
class Redis:
    """A redis-server of the test's own, without persistence: a restart loses every key."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_port(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None


@contextlib.contextmanager
def own_redis(workdir: Path) -> Iterator[Redis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server absent")
    server = Redis(free_port(), workdir)
    server.start()
    try:
        yield server
    finally:
        server.kill()


# --- a tiny filesystem -------------------------------------------------------------------------


@contextlib.contextmanager
def tiny_filesystem(size: str = "2m") -> Iterator[Path]:
    """A tmpfs of `size`, mounted for the block (root only)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    point = Path(tempfile.mkdtemp(prefix="tournee-tmpfs-"))
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=1777", "tmpfs", str(point)],
        capture_output=True,
    )
    if result.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode(errors='replace')}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)
        point.rmdir()


def fill(folder: Path, leave: int = 0) -> Path:
    """Take all the free space of `folder`'s filesystem but `leave` bytes; returns the filler."""
    filler = folder / f"filler-{uuid.uuid4().hex[:6]}"
    free = shutil.disk_usage(folder).free - leave
    with filler.open("wb") as out:
        chunk = b"\0" * 65536
        with contextlib.suppress(OSError):
            while free > 0:
                out.write(chunk[: min(len(chunk), free)])
                free -= len(chunk)
            out.flush()
    return filler


# --- the app under gunicorn --------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []


@contextlib.contextmanager
def gunicorn(
    instance: Path, env: dict[str, str], *, workers: int = 2, config: str = ""
) -> Iterator[Server]:
    """The app (wsgi:app) under gunicorn on a free port, with its own instance folder."""
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(config)
    ready = instance / "ready"
    ready.mkdir()
    hooks = instance / "gunicorn_hooks.py"
    hooks.write_text(
        "def post_worker_init(worker):\n"
        f"    open({str(ready)!r} + '/' + str(worker.pid), 'w').close()\n"
    )
    port = free_port()
    log = instance / "gunicorn.log"
    environment = {
        **os.environ,
        "TOURNEE_ENV": "testing",
        "TOURNEE_INSTANCE_PATH": str(instance),
        "PYTHONPATH": str(ROOT),
        **env,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--config",
            str(hooks),
            "wsgi:app",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_port(port, timeout=40)
        server = Server(process, port, log)
        _wait_ready(server, ready, workers)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: Server, ready: Path, workers: int, timeout: float = 90) -> None:
    """Until every worker has loaded the app (each leaves a file in `ready`, see `gunicorn`):
    the master listens long before, and on a loaded machine a worker takes many seconds to
    import the app; a test must not take that for an outage."""
    deadline = time.monotonic() + timeout
    while len(list(ready.iterdir())) < workers:
        assert server.process.poll() is None, f"gunicorn exited: see {server.log}"
        assert time.monotonic() < deadline, f"workers not ready after {timeout} s: {server.log}"
        time.sleep(0.1)


# --- clients posting through a real server -----------------------------------------------------


@dataclass
class Posting:
    """Clients posting submissions through the API, each resending its pending one (same
    client_id) until it is acknowledged, as the offline outbox does."""

    url: str
    code: str
    acknowledged: set[str] = field(default_factory=set)
    statuses: dict[int, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _client(self) -> None:
        http = requests.Session()
        pending: str | None = None
        while not self.stop.is_set():
            pending = pending or str(uuid.uuid4())
            body = {
                "client_id": pending,
                "organisation": "Riad Dar Atlas",
                "category": "hebergement",
                "items": [{"kind": "need", "text": f"Former le personnel {pending[:8]}."}],
            }
            try:
                answer = http.post(
                    f"{self.url}/api/v1/stops/{self.code}/submissions", json=body, timeout=15
                )
            except requests.RequestException:
                time.sleep(0.2)
                continue
            with self.lock:
                self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1
                if answer.status_code in (200, 201) and answer.json().get("reference"):
                    self.acknowledged.add(pending)
                    pending = None
                elif 400 <= answer.status_code < 500 and answer.status_code != 429:
                    self.refused.append(answer.text[:200])
                    pending = None
            if answer.status_code >= 500 or answer.status_code == 429:
                time.sleep(0.3)

    @contextlib.contextmanager
    def running(self, clients: int = 4) -> Iterator[Posting]:
        threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=30)

    def count(self, low: int, high: int) -> int:
        with self.lock:
            return sum(n for status, n in self.statuses.items() if low <= status <= high)

    def wait_for_acks(self, more_than: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.acknowledged) > more_than:
                    return
            time.sleep(0.1)
        raise AssertionError(f"no more than {more_than} acknowledged after {timeout} s")
