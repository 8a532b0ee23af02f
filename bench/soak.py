"""Soak: 100 phones x 20 submissions while staff review and export, and workers get killed.

For each backend (a fresh SQLite file in WAL mode, and a fresh PostgreSQL database), through
bench/harness.py: migrate, create an open stop, serve `gunicorn wsgi:app` with 4 sync workers.
Then, at the same time:
- 100 simulated phones each send 20 submissions, one after the other: most through the JSON
  API, one in five through the HTML form (GET the page for its CSRF token and client_id, POST,
  the redirect to the receipt is the acknowledgement). Every connection error, reset or 5xx is
  retried with the same client_id until the submission is acknowledged.
- a delegate-like reviewer signed in as HQ walks the review desk: list, open a submission, set
  its status, shortlist and re-theme an item, bulk-mark a selection;
- an exporter downloads the region's Excel workbook again and again;
- a killer SIGKILLs one gunicorn worker every few seconds (the master starts a new one).

Afterwards the database is read directly. Printed per backend: acknowledged, stored, lost
(acknowledged but absent), duplicated (a client_id stored twice, or acknowledged with two
different references), 5xx, failures explained by a kill (a connection reset within half a second
of a worker's death, whose retry then succeeded), unexpected failures (every 5xx, and any other
reset), p95 of the submission posts, reviews and exports done, workers killed. Exit status 1
unless lost, duplicated and unexpected are all 0 and the server logged no error.

The phones all come from 127.0.0.1, so the per-address rate limit is switched off
(RATELIMIT_ENABLED=0): this measures durability, not abuse control (tests/test_rate_limits.py
does that).

    .venv/bin/python bench/soak.py                        # both backends
    .venv/bin/python bench/soak.py --backend sqlite --phones 100 --per-phone 20 --kill-every 5
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import BACKENDS, BIN, ROOT, RunningApp, app_env, running_app

TIMEOUT = (5, 60)
KILL_WINDOW = 0.5  # seconds around a kill in which a reset connection is blamed on it
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CLIENT_ID = re.compile(r'name="client_id" type="hidden" value="([^"]*)"')
RECEIPT = re.compile(r"/receipt/([A-Za-z0-9-]+)$")
SUBMISSION_LINK = re.compile(r"/review/submissions/(\d+)")
ITEM_FORM = re.compile(r"/review/submissions/(\d+)/items/(\d+)")
TEXTS = [
    "Former le personnel à l'accueil en anglais.",
    "تحسين النقل بين المطار والمدينة",
    "Un guichet unique pour les autorisations de bivouac.",
    "Des vols directs l'hiver 📊.",
]
KINDS = ["need", "opportunity", "challenge", "proposal"]


@dataclass
class Failure:
    started: float
    ended: float
    what: str  # "5xx 500", "reset ConnectionError", ...
    actor: str  # "phone", "reviewer", "exporter"
    recovered: bool = False


@dataclass
class Shared:
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: list[Failure] = field(default_factory=list)
    kills: list[float] = field(default_factory=list)
    acks: dict[str, set[str]] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    reviews: int = 0
    exports: int = 0
    gave_up: int = 0

    def fail(self, failure: Failure) -> Failure:
        with self.lock:
            self.failures.append(failure)
        return failure


def _call(
    shared: Shared,
    session: requests.Session,
    actor: str,
    method: str,
    url: str,
    *,
    attempts: int = 60,
    **kwargs,
) -> tuple[requests.Response | None, float]:
    """One exchange, retried on resets and 5xx; returns the answer and its own duration."""
    pending: list[Failure] = []
    for attempt in range(attempts):
        started = time.monotonic()
        try:
            response = session.request(
                method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs
            )
        except requests.RequestException as error:
            pending.append(
                shared.fail(
                    Failure(started, time.monotonic(), f"reset {type(error).__name__}", actor)
                )
            )
        else:
            with shared.lock:
                shared.statuses[response.status_code] += 1
            if response.status_code < 500:
                for failure in pending:
                    failure.recovered = True
                return response, time.monotonic() - started
            pending.append(
                shared.fail(
                    Failure(started, time.monotonic(), f"5xx {response.status_code}", actor)
                )
            )
        time.sleep(min(2.0, 0.05 * 2**attempt))
    return None, 0.0


class Phone(threading.Thread):
    def __init__(
        self, app: RunningApp, shared: Shared, number: int, count: int, reference: dict
    ) -> None:
        super().__init__(daemon=True)
        self.app, self.shared, self.count = app, shared, count
        self.rng = random.Random(number)
        self.session = requests.Session()
        self.categories = [c["code"] for c in reference["categories"]]
        self.themes = [t["code"] for t in reference["themes"]]

    def run(self) -> None:
        for _ in range(self.count):
            if self.rng.random() < 0.2:
                self._form()
            else:
                self._api()

    def _ack(self, client_id: str, reference: str, seconds: float) -> None:
        with self.shared.lock:
            self.shared.acks.setdefault(client_id, set()).add(reference)
            self.shared.latencies_ms.append(seconds * 1000)

    def _payload(self) -> dict:
        items = [
            {
                "kind": self.rng.choice(KINDS),
                "text": self.rng.choice(TEXTS),
                "theme": self.rng.choice([None, *self.themes]),
            }
            for _ in range(self.rng.randint(1, 4))
        ]
        return {
            "client_id": str(uuid.uuid4()),
            "organisation": "Riad Dar Atlas",
            "category": self.rng.choice(self.categories),
            "items": items,
        }

    def _api(self) -> None:
        payload = self._payload()
        url = f"{self.app.base_url}/api/v1/stops/{self.app.stop_code}/submissions"
        response, seconds = _call(self.shared, self.session, "phone", "POST", url, json=payload)
        if response is not None and response.status_code in (200, 201):
            self._ack(payload["client_id"], response.json()["reference"], seconds)
        else:
            self._lost_answer("api", response)

    def _form(self) -> None:
        url = f"{self.app.base_url}/f/{self.app.stop_code}"
        page, _ = _call(self.shared, self.session, "phone", "GET", url)
        if page is None or page.status_code != 200:
            self._lost_answer("form page", page)
            return
        client_id = CLIENT_ID.search(page.text).group(1)
        data = {
            "csrf_token": CSRF.search(page.text).group(1),
            "client_id": client_id,
            "organisation": "Agence Sahara Tours",
            "category": self.rng.choice(self.categories),
            "need-0-text": self.rng.choice(TEXTS),
            "proposal-0-text": self.rng.choice(TEXTS),
        }
        response, seconds = _call(self.shared, self.session, "phone", "POST", url, data=data)
        match = RECEIPT.search(response.headers.get("Location", "")) if response else None
        if response is not None and response.status_code in (302, 303) and match:
            self._ack(client_id, match.group(1), seconds)
        else:
            self._lost_answer("form", response)

    def _lost_answer(self, what: str, response: requests.Response | None) -> None:
        with self.shared.lock:
            if response is None:
                self.shared.gave_up += 1
            else:
                self.shared.unexpected.append(
                    f"{what}: {response.status_code} {response.text[:200]!r}"
                )


def _sign_in(
    app: RunningApp, shared: Shared, email: str, password: str, actor: str
) -> requests.Session:
    session = requests.Session()
    while not shared.stop.is_set():
        page, _ = _call(shared, session, actor, "GET", f"{app.base_url}/login")
        if page is None:
            continue
        response, _ = _call(
            shared,
            session,
            actor,
            "POST",
            f"{app.base_url}/login",
            data={
                "email": email,
                "password": password,
                "csrf_token": CSRF.search(page.text).group(1),
            },
        )
        if response is not None and response.status_code in (302, 303):
            return session
        time.sleep(0.5)
    return session


def reviewer(app: RunningApp, shared: Shared, email: str, password: str) -> None:
    rng = random.Random(7)
    session = _sign_in(app, shared, email, password, "reviewer")
    base = app.base_url
    while not shared.stop.is_set():
        listing, _ = _call(shared, session, "reviewer", "GET", f"{base}/review/")
        if listing is None or listing.status_code != 200:
            time.sleep(0.5)
            continue
        ids = sorted(set(SUBMISSION_LINK.findall(listing.text)))
        if not ids:
            time.sleep(0.5)
            continue
        chosen = rng.choice(ids)
        page, _ = _call(shared, session, "reviewer", "GET", f"{base}/review/submissions/{chosen}")
        if page is None or page.status_code != 200:
            continue
        token = CSRF.search(page.text).group(1)
        _call(
            shared,
            session,
            "reviewer",
            "POST",
            f"{base}/review/submissions/{chosen}/status",
            data={"csrf_token": token, "status": rng.choice(["reviewed", "spam", "new"])},
        )
        items = ITEM_FORM.findall(page.text)
        if items:
            _sub, item = rng.choice(items)
            _call(
                shared,
                session,
                "reviewer",
                "POST",
                f"{base}/review/submissions/{chosen}/items/{item}",
                data={
                    "csrf_token": token,
                    "kind": rng.choice(KINDS),
                    "theme": "",
                    "shortlisted": "y" if rng.random() < 0.5 else "",
                },
            )
        selection = rng.sample(ids, min(5, len(ids)))
        _call(
            shared,
            session,
            "reviewer",
            "POST",
            f"{base}/review/bulk",
            data={
                "csrf_token": CSRF.search(listing.text).group(1),
                "action": "reviewed",
                "submission_ids": selection,
            },
        )
        with shared.lock:
            shared.reviews += 1


def exporter(app: RunningApp, shared: Shared, email: str, password: str) -> None:
    session = _sign_in(app, shared, email, password, "exporter")
    while not shared.stop.is_set():
        page, _ = _call(shared, session, "exporter", "GET", f"{app.base_url}/hq/exports")
        if page is None or page.status_code != 200:
            time.sleep(0.5)
            continue
        response, _ = _call(
            shared,
            session,
            "exporter",
            "POST",
            f"{app.base_url}/hq/exports",
            data={
                "csrf_token": CSRF.search(page.text).group(1),
                "regions": ["marrakech-safi"],
                "language": "fr",
                "statuses": ["new", "reviewed"],
            },
        )
        if response is not None and response.status_code == 200 and response.content[:2] == b"PK":
            with shared.lock:
                shared.exports += 1
        elif response is not None:
            with shared.lock:
                shared.unexpected.append(f"export: {response.status_code}")
        time.sleep(1.0)


def killer(app: RunningApp, shared: Shared, every: float) -> None:
    rng = random.Random(3)
    while not shared.stop.wait(every):
        workers = app.worker_pids()
        if not workers:
            continue
        victim = rng.choice(workers)
        with shared.lock:
            shared.kills.append(time.monotonic())
        with contextlib.suppress(ProcessLookupError):  # it may have just been replaced
            os.kill(victim, signal.SIGKILL)


def create_hq_user(app: RunningApp, email: str, password: str) -> None:
    result = subprocess.run(
        [
            str(BIN / "flask"),
            "--app",
            "feedback_app",
            "users",
            "create",
            email,
            "--role",
            "hq",
            "--name",
            "Soak HQ",
        ],
        cwd=ROOT,
        env=app_env(app.database_url, "bench-cli"),
        input=password + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"users create failed: {result.stdout}{result.stderr}")


def stored_rows(app: RunningApp) -> list[tuple[str, str]]:
    from sqlalchemy import text

    engine = app.engine()
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT client_id, reference FROM submissions")).all()
    finally:
        engine.dispose()
    return [(str(uuid.UUID(str(client_id))), reference) for client_id, reference in rows]


def _server_durations(log: str) -> list[float]:
    """duration_ms of the submission posts, from the app's JSON request log lines."""
    durations = []
    for line in log.splitlines():
        if not line.startswith("{") or '"method": "POST"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("endpoint") in ("api.create_submission", "public.stop_form"):
            durations.append(float(entry.get("duration_ms") or 0))
    return durations


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100)[94]


def soak(backend: str, *, phones: int, per_phone: int, kill_every: float) -> bool:
    shared = Shared()
    email, password = "soak-hq@example.ma", secrets.token_urlsafe(18)
    # Exports stay direct downloads here (no background job): the soak counts workbooks
    # received while workers are killed; bench/export.py measures the task queue.
    env = {"RATELIMIT_ENABLED": "0", "EXPORT_BACKGROUND_ABOVE": "1000000"}
    with running_app(backend, workers=4, env=env) as app:
        create_hq_user(app, email, password)
        reference = requests.get(
            f"{app.base_url}/api/v1/stops/{app.stop_code}", timeout=TIMEOUT
        ).json()
        started = time.monotonic()
        crowd = [Phone(app, shared, n, per_phone, reference) for n in range(phones)]
        staff = [
            threading.Thread(target=reviewer, args=(app, shared, email, password), daemon=True),
            threading.Thread(target=exporter, args=(app, shared, email, password), daemon=True),
            threading.Thread(target=killer, args=(app, shared, kill_every), daemon=True),
        ]
        for thread in [*staff, *crowd]:
            thread.start()
        for phone in crowd:
            phone.join()
        elapsed = time.monotonic() - started
        shared.stop.set()
        for thread in staff:
            thread.join(timeout=90)
        rows = stored_rows(app)
        log = app.log_text()

    stored = Counter(client_id for client_id, _ in rows)
    references = {client_id: reference for client_id, reference in rows}
    acked = shared.acks
    lost = [c for c in acked if c not in stored]
    duplicated = [c for c, n in stored.items() if n > 1]
    duplicated += [
        c
        for c, refs in acked.items()
        if len(refs) > 1 or (c in references and references[c] not in refs)
    ]
    kills = shared.kills

    def explained(failure: Failure) -> bool:
        # Only a connection reset or close can come from a killed worker: a 5xx is an answer,
        # written by a live worker, so it is always unexpected.
        return (
            failure.what.startswith("reset")
            and failure.recovered
            and any(
                failure.started - KILL_WINDOW <= k <= failure.ended + KILL_WINDOW for k in kills
            )
        )

    status_5xx = sum(1 for f in shared.failures if f.what.startswith("5xx"))
    expected = [f for f in shared.failures if explained(f)]
    unexpected = [f for f in shared.failures if not explained(f)]
    server_ms = _server_durations(log)
    locked = log.count("database is locked")
    tracebacks = log.count("Traceback") + log.count('"level": "error"')

    print(
        f"\n== {backend}: {phones} phones x {per_phone} submissions, 4 workers, "
        f"a worker killed every {kill_every:g} s =="
    )
    print(f"duration            {elapsed:8.1f} s")
    print(f"acknowledged        {len(acked):8d}   (expected {phones * per_phone})")
    print(f"stored              {len(rows):8d}")
    print(f"lost                {len(lost):8d}")
    print(f"duplicated          {len(duplicated):8d}")
    print(f"5xx                 {status_5xx:8d}")
    print(
        f"failures after kill {len(expected):8d}   (connection reset while a worker died, "
        "retried successfully)"
    )
    print(f"unexpected failures {len(unexpected):8d}")
    print(
        f"p95 submission post {p95(shared.latencies_ms):8.0f} ms   "
        f"(p50 {statistics.median(shared.latencies_ms or [0]):.0f} ms)"
    )
    print(
        f"server-side         p50 {statistics.median(server_ms or [0]):.0f} ms, "
        f"p95 {p95(server_ms):.0f} ms   (the app's own time per submission post; the rest "
        "of the client's wait is queueing for a worker)"
    )
    print(f"workers killed      {len(kills):8d}")
    print(f"review rounds       {shared.reviews:8d}")
    print(f"exports downloaded  {shared.exports:8d}")
    print(f"statuses            {dict(sorted(shared.statuses.items()))}")
    print(f"gave up / odd       {shared.gave_up} / {len(shared.unexpected)}")
    print(f"log: 'database is locked' {locked}, errors/tracebacks {tracebacks}")
    for failure in unexpected[:5]:
        print(
            f"  unexpected: {failure.actor} {failure.what} "
            f"at +{failure.started - started:.1f} s (recovered: {failure.recovered})"
        )
    for sample in shared.unexpected[:5]:
        print(f"  odd answer: {sample}")
    ok = (
        not lost
        and not duplicated
        and not unexpected
        and len(acked) == phones * per_phone
        and not shared.unexpected
        and not locked
        and not tracebacks
    )
    print("result              " + ("OK" if ok else "FAILED"))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--per-phone", type=int, default=20)
    # A new worker needs 1-5 s to import the app on this 2-core machine: killing faster than
    # that leaves no worker alive, which measures boot time rather than durability.
    parser.add_argument("--kill-every", type=float, default=5.0, help="seconds between kills")
    args = parser.parse_args()
    results = [
        soak(backend, phones=args.phones, per_phone=args.per_phone, kill_every=args.kill_every)
        for backend in args.backend or BACKENDS
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
