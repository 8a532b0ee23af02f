"""Submission benchmark: throughput, latency and "nothing lost, nothing twice" under load.

For each backend (SQLite in WAL mode in a temporary directory, and a fresh PostgreSQL database
on the local server, dropped afterwards) it migrates a new database, creates an open stop, and
serves the app with `gunicorn wsgi:app` (sync workers, 4 by default). Then 50 concurrent
clients post submissions for a bounded time: most through the JSON API, a quarter through the
HTML form (GET the page, take its CSRF token and client_id, POST, follow nothing: the 303/302
to the receipt page is the acknowledgement). Clients behave like phones on venue Wi-Fi: some
double tap (the same post twice at once), some replay a post after it was acknowledged, and
every connection error, timeout or 5xx is retried with the same client_id. All clients share
127.0.0.1, so the per-address rate limit is switched off (RATELIMIT_ENABLED=0) to measure the
capture path itself; --rate-limit keeps it on and retries each 429 after its Retry-After.

Afterwards the database is read directly and, per backend, the script prints requests/s,
acknowledged submissions/s, p50 and p99 latency of the submission posts, the 5xx count, the
acknowledged and stored counts, rows lost (acknowledged client_ids absent from the database)
and duplicated (client_ids stored more than once, and client_ids whose acknowledged receipts
differ from each other or from the stored one), plus what gunicorn's log says ("database is
locked", tracebacks, worker timeouts). It exits non-zero if lost, duplicated or 5xx is not 0,
and also on any unexpected answer (a 4xx where a receipt was due), a post given up after
every retry, a submission stored without its items, or "database is locked" in the log.

    .venv/bin/python bench/submit.py                      # both backends, ~20 s each
    .venv/bin/python bench/submit.py --backend sqlite --seconds 10 --clients 50 --workers 4
    make bench-submit

PostgreSQL is reached at BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/).
Figures depend on the machine and on whatever else runs on it: compare runs on one machine.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import BACKENDS, RunningApp, running_app

FORM_SHARE = 0.25
DOUBLE_TAP = 0.10
REPLAY = 0.05
MAX_ATTEMPTS = 30
RATE_LIMIT_GRACE = 30  # seconds past the deadline a rate-limited post keeps retrying
TIMEOUT = (5, 60)  # connect, read: longer than gunicorn's 30 s worker timeout
RECEIPT = re.compile(r"/receipt/([A-Za-z0-9-]+)$")

ORGANISATIONS = [
    "Riad Dar Atlas",
    "Agence Sahara Tours",
    "Maison d'hôtes Zagora",
    "جمعية المرشدين السياحيين",
    "Restaurant Al Fassia",
    "Surf Camp Taghazout",
]
TEXTS = [
    "Former le personnel à l'accueil en anglais.",
    "Mieux signaler les sites depuis la route nationale.",
    "تحسين النقل بين المطار والمدينة",
    "Un guichet unique pour les autorisations de bivouac.",
    "Partager les chiffres de fréquentation par saison 📊.",
]
KINDS = ["need", "opportunity", "challenge", "proposal"]


@dataclass
class ClientStats:
    requests: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    status_5xx: int = 0
    connection_errors: int = 0
    unexpected: Counter = field(default_factory=Counter)
    unexpected_samples: list[str] = field(default_factory=list)
    gave_up: int = 0
    status_429: int = 0
    abandoned_429: int = 0
    double_taps: int = 0
    replays: int = 0
    acks: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def merge(self, other: ClientStats) -> None:
        self.requests += other.requests
        self.latencies_ms += other.latencies_ms
        self.status_5xx += other.status_5xx
        self.connection_errors += other.connection_errors
        self.unexpected.update(other.unexpected)
        self.unexpected_samples += other.unexpected_samples[: 5 - len(self.unexpected_samples)]
        self.gave_up += other.gave_up
        self.status_429 += other.status_429
        self.abandoned_429 += other.abandoned_429
        self.double_taps += other.double_taps
        self.replays += other.replays
        for client_id, references in other.acks.items():
            self.acks[client_id] |= references


class Client:
    """One phone: a session (cookies, hence its CSRF token) and a twin session for double taps."""

    def __init__(
        self, app: RunningApp, reference_data: dict, seed: int, *, rate_limited: bool = False
    ) -> None:
        self.app = app
        self.rate_limited = rate_limited
        self.give_up_at = float("inf")
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.twin = requests.Session()
        self.stats = ClientStats()
        self.twin_stats = ClientStats()
        self.categories = [c["code"] for c in reference_data["categories"]]
        self.themes = [t["code"] for t in reference_data["themes"]]
        self.api_url = f"{app.base_url}/api/v1/stops/{app.stop_code}/submissions"
        self.form_url = f"{app.base_url}/f/{app.stop_code}"

    # -- one HTTP exchange, retried with the same client_id until it is answered -------------
    def _send(
        self,
        session: requests.Session,
        stats: ClientStats,
        method: str,
        url: str,
        *,
        measured: bool,
        **kwargs,
    ) -> requests.Response | None:
        attempt = 0
        while attempt < MAX_ATTEMPTS:
            attempt += 1
            started = time.perf_counter()
            try:
                response = session.request(
                    method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs
                )
            except requests.RequestException:
                stats.connection_errors += 1
                time.sleep(min(1.0, 0.05 * 2**attempt))
                continue
            if response.status_code == 429 and self.rate_limited:
                # Held back by the limiter: wait as told and post again with the same client_id,
                # for as long as the run's grace period lasts; nothing was acknowledged.
                stats.status_429 += 1
                attempt -= 1
                if time.monotonic() > self.give_up_at:
                    stats.abandoned_429 += 1
                    return None
                time.sleep(min(5.0, float(response.headers.get("Retry-After") or 1)))
                continue
            stats.requests += 1
            if measured:
                stats.latencies_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code >= 500:
                stats.status_5xx += 1
                time.sleep(min(1.0, 0.05 * 2**attempt))
                continue
            return response
        stats.gave_up += 1
        return None

    def _unexpected(self, stats: ClientStats, what: str, response: requests.Response) -> None:
        stats.unexpected[f"{what} {response.status_code}"] += 1
        if len(stats.unexpected_samples) < 5:
            stats.unexpected_samples.append(
                f"{what} {response.status_code}: {response.text[:300]!r}"
            )

    # -- JSON API ------------------------------------------------------------------------------
    def _payload(self) -> dict:
        rng = self.rng
        items = []
        for _ in range(rng.randint(1, 4)):
            item = {"kind": rng.choice(KINDS), "text": rng.choice(TEXTS)}
            if rng.random() < 0.5:
                item["theme"] = rng.choice(self.themes)
            if rng.random() < 0.3:
                item["priority"] = rng.choice(["high", "medium", "low"])
            items.append(item)
        payload = {
            "client_id": str(uuid.uuid4()),
            "organisation": rng.choice(ORGANISATIONS),
            "category": rng.choice(self.categories),
            "items": items,
        }
        if rng.random() < 0.3:
            payload.update(
                consent_contact=True,
                name="Samira El Idrissi",
                email="samira@example.ma",
                phone="+212 6 12 34 56 78",
            )
        return payload

    def _post_api(self, session: requests.Session, stats: ClientStats, payload: dict) -> None:
        response = self._send(session, stats, "POST", self.api_url, measured=True, json=payload)
        if response is None:
            return
        if response.status_code in (200, 201):
            stats.acks[payload["client_id"]].add(response.json()["reference"])
        else:
            self._unexpected(stats, "api", response)

    # -- HTML form ------------------------------------------------------------------------------
    def _form_data(self, html: str) -> dict | None:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        client_id = re.search(r'name="client_id" type="hidden" value="([^"]+)"', html)
        if not token or not client_id:
            return None
        rng = self.rng
        data = {
            "csrf_token": token.group(1),
            "client_id": client_id.group(1),
            "organisation": rng.choice(ORGANISATIONS),
            "category": rng.choice(self.categories),
        }
        # Contact details go with the box ticked, as people fill the form: typed without it,
        # the form refuses them (422) and keeps what was typed (services/capture/validation.py).
        if rng.random() < 0.3:
            data.update(
                consent_contact="y",
                name="Samira El Idrissi",
                job_title="Gérante",
                email="samira@example.ma",
                phone="+212 6 12 34 56 78",
            )
        for kind in rng.sample(KINDS, rng.randint(1, 4)):
            data[f"{kind}-0-text"] = rng.choice(TEXTS)
            data[f"{kind}-0-theme"] = rng.choice(["", *self.themes])
            data[f"{kind}-0-priority"] = ""
        return data

    def _post_form(self, session: requests.Session, stats: ClientStats, data: dict) -> None:
        response = self._send(session, stats, "POST", self.form_url, measured=True, data=data)
        if response is None:
            return
        match = RECEIPT.search(response.headers.get("Location", ""))
        if response.status_code in (302, 303) and match:
            stats.acks[data["client_id"]].add(match.group(1))
        else:
            self._unexpected(stats, "form", response)

    # -- one submission, maybe double tapped, maybe replayed --------------------------------------
    def submit_once(self) -> None:
        if self.rng.random() < FORM_SHARE:
            page = self._send(self.session, self.stats, "GET", self.form_url, measured=False)
            if page is None:
                return
            data = self._form_data(page.text) if page.status_code == 200 else None
            if data is None:
                self._unexpected(self.stats, "form-get", page)
                return
            post, args = self._post_form, data
            self.twin.cookies.update(self.session.cookies)  # the same browser taps twice
        else:
            post, args = self._post_api, self._payload()
        twin = None
        if self.rng.random() < DOUBLE_TAP:
            self.stats.double_taps += 1
            twin = threading.Thread(target=post, args=(self.twin, self.twin_stats, args))
            twin.start()
        post(self.session, self.stats, args)
        if twin is not None:
            twin.join()
        if self.rng.random() < REPLAY:  # back button and post again, after the receipt
            self.stats.replays += 1
            post(self.session, self.stats, args)

    def run(self, deadline: float) -> None:
        self.give_up_at = deadline + RATE_LIMIT_GRACE
        while time.monotonic() < deadline:
            self.submit_once()
        self.stats.merge(self.twin_stats)


@dataclass
class Result:
    backend: str
    elapsed: float
    stats: ClientStats
    stored: int
    lost: int
    duplicated: int
    without_items: int
    log_locked: int
    log_tracebacks: int
    log_timeouts: int
    log_path: Path
    journal_mode: str = ""

    @property
    def failed(self) -> bool:
        return bool(
            self.lost
            or self.duplicated
            or self.stats.status_5xx
            or self.without_items
            or self.stats.unexpected
            or self.stats.gave_up
            or self.log_locked
            or (self.backend == "sqlite" and self.journal_mode != "wal")
        )


def check_database(app: RunningApp, stats: ClientStats) -> tuple[int, int, int, int]:
    """(stored, lost, duplicated, stored without items) read straight from the database."""
    from sqlalchemy import func, select

    from feedback_app.models import FeedbackItem, Submission

    engine = app.engine()
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Submission.client_id, Submission.reference)).all()
            without_items = conn.scalar(
                select(func.count())
                .select_from(Submission)
                .where(
                    ~select(FeedbackItem.id)
                    .where(FeedbackItem.submission_id == Submission.id)
                    .exists()
                )
            )
    finally:
        engine.dispose()
    stored: dict[str, list[str]] = defaultdict(list)
    for client_id, reference in rows:
        stored[str(client_id)].append(reference)
    lost = sum(1 for client_id in stats.acks if client_id not in stored)
    duplicated = sum(len(refs) - 1 for refs in stored.values() if len(refs) > 1)
    duplicated += sum(
        1
        for client_id, acked in stats.acks.items()
        if client_id in stored and (len(acked) > 1 or not acked <= set(stored[client_id]))
    )
    return len(rows), lost, duplicated, without_items or 0


def run_backend(
    backend: str, seconds: float, clients: int, workers: int, rate_limit: bool = False
) -> Result:
    env = {} if rate_limit else {"RATELIMIT_ENABLED": "0"}
    with running_app(backend, workers=workers, env=env) as app:
        reference_data = requests.get(
            f"{app.base_url}/api/v1/stops/{app.stop_code}", timeout=TIMEOUT
        ).json()
        phones = [
            Client(app, reference_data, seed=n, rate_limited=rate_limit) for n in range(clients)
        ]
        started = time.monotonic()
        deadline = started + seconds
        # Daemon threads: an interrupted run still stops gunicorn and drops the database.
        threads = [
            threading.Thread(target=phone.run, args=(deadline,), daemon=True) for phone in phones
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        stats = ClientStats()
        for phone in phones:
            stats.merge(phone.stats)
        stored, lost, duplicated, without_items = check_database(app, stats)
        log = app.log_text().splitlines()
        journal = _journal_mode(app)
    return Result(
        backend,
        elapsed,
        stats,
        stored,
        lost,
        duplicated,
        without_items,
        log_locked=_lines_with(log, "database is locked"),
        log_tracebacks=_lines_with(log, "Traceback"),
        log_timeouts=_lines_with(log, "WORKER TIMEOUT"),
        log_path=app.log_path,
        journal_mode=journal,
    )


def _journal_mode(app: RunningApp) -> str:
    """SQLite's journal mode as stored in the file (WAL persists): proof the app set it."""
    if app.backend != "sqlite":
        return ""
    engine = app.engine()
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())
    finally:
        engine.dispose()


def _lines_with(lines: list[str], needle: str) -> int:
    return sum(1 for line in lines if needle in line)


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(result: Result, clients: int, workers: int) -> None:
    s = result.stats
    journal = f", journal_mode={result.journal_mode}" if result.journal_mode else ""
    print(
        f"\n== {result.backend}{journal}: {clients} clients, {workers} gunicorn workers, "
        f"{result.elapsed:.1f} s"
    )
    print(f"  requests/s      {s.requests / result.elapsed:8.1f}   ({s.requests} HTTP requests)")
    print(f"  submissions/s   {len(s.acks) / result.elapsed:8.1f}   (acknowledged client_ids)")
    print(f"  latency p50     {percentile(s.latencies_ms, 50):8.1f} ms (submission posts)")
    print(f"  latency p99     {percentile(s.latencies_ms, 99):8.1f} ms")
    print(f"  5xx             {s.status_5xx:8d}")
    print(f"  acknowledged    {len(s.acks):8d}")
    print(f"  stored          {result.stored:8d}")
    print(f"  lost            {result.lost:8d}")
    print(f"  duplicated      {result.duplicated:8d}")
    print(
        f"  connection errors (retried) {s.connection_errors}, gave up {s.gave_up}, "
        f"stored without items {result.without_items}"
    )
    if s.status_429 or s.abandoned_429:
        print(
            f"  429 (retried with the same client_id) {s.status_429}, abandoned after the "
            f"grace period {s.abandoned_429}"
        )
    print(f"  double taps {s.double_taps}, replays after the receipt {s.replays}")
    print(f"  unexpected answers {sum(s.unexpected.values())} {dict(s.unexpected) or ''}")
    for sample in s.unexpected_samples:
        print(f"    {sample}")
    print(
        f"  gunicorn log lines: 'database is locked' {result.log_locked}, tracebacks "
        f"{result.log_tracebacks}, worker timeouts {result.log_timeouts} ({result.log_path})"
    )
    print(f"  verdict         {'FAIL' if result.failed else 'ok'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--rate-limit",
        action="store_true",
        help="keep the per-address rate limit on (off by default: all clients "
        "share 127.0.0.1); 429s are then retried after Retry-After",
    )
    args = parser.parse_args(argv)
    # `kill` unwinds like Ctrl-C: gunicorn is stopped and the database dropped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    failed = False
    for backend in backends:
        result = run_backend(backend, args.seconds, args.clients, args.workers, args.rate_limit)
        report(result, args.clients, args.workers)
        failed |= result.failed
        if not result.failed:
            result.log_path.unlink(missing_ok=True)  # a failing run keeps its log to read
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
