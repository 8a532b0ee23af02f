"""Submissions per second against a bare insert app, side by side in one run (wrk).

Four servers run at once, each `gunicorn -w 2` on its own SQLite database in WAL mode:
  noop      bench/reference/bare_app.py parsing the JSON body, no database (Flask's ceiling)
  bare      the same app inserting 1 submission + 4 items (synchronous=FULL, as shipped)
  bare-normal  the same with synchronous=NORMAL, Tournée's own setting (database.py): without
            an fsync per commit the comparison is Python against Python
  tournee   POST /api/v1/stops/<code>/submissions, production configuration, rate limits off,
            recurring ideas regrouped in the background (the default REGROUP_DELAY_SECONDS)
  no-regroup  the same with REGROUP_DELAY_SECONDS = None
Then, for each round, `wrk -t2 -c8 -d8s` posts to each in turn (each POST with a fresh
client_id and 4 items, bench/reference/post.lua). Servers are measured one after the other
within a round, so a busy neighbour on a shared machine weighs on all of them alike: compare the
ratios of one run, not req/s across runs. The script prints each round, the median req/s and
Tournée's median ratio to the bare app (goal >= 1.0), and checks that every acknowledged post
was stored once.

    .venv/bin/python bench/submit_ratio.py                 # 3 rounds of 8 s
    .venv/bin/python bench/submit_ratio.py --rounds 5 --seconds 10
    make bench-submit                                      # installs wrk first if missing
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import BIN, ROOT, flask_cli, free_port, stop_process, wait_until_up

REFERENCE = Path(__file__).resolve().parent / "reference"
REQUESTS = re.compile(r"Requests/sec:\s+([\d.]+)")
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


@contextmanager
def serve(args: list[str], cwd: Path, env: dict[str, str], health: str):
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(health, process)
        yield
    finally:
        stop_process(process, grace=10)


def gunicorn_args(app: str, port: int) -> list[str]:
    return [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", app]


def bare(stack: ExitStack, work: Path, noop: bool, sync: str = "full") -> str:
    env = {
        **os.environ,
        "DB_PATH": str(work / f"bare-{sync}-{int(noop)}.db"),
        "JOURNAL": "wal",
        "SYNC": sync,
        "SET_PRAGMAS": "1",
        "NOOP": "1" if noop else "0",
    }
    subprocess.run([sys.executable, "bare_app.py"], cwd=REFERENCE, env=env, check=True,
                   capture_output=True)  # fmt: skip
    port = free_port()
    stack.enter_context(
        serve(
            gunicorn_args("bare_app:app", port), REFERENCE, env, f"http://127.0.0.1:{port}/health"
        )
    )
    return f"http://127.0.0.1:{port}/submit"


def tournee(stack: ExitStack, work: Path, name: str, instance_config: str) -> tuple[str, Path]:
    database = work / f"{name}.sqlite"
    url = f"sqlite:///{database}"
    instance = work / f"instance-{name}"
    instance.mkdir()
    (instance / "config.py").write_text(instance_config)
    env = {
        **os.environ,
        "TOURNEE_ENV": "production",
        "SECRET_KEY": "bench-secret-0123456789abcdef",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "RATELIMIT_ENABLED": "0",
        "DATABASE_URL": url,
        "TOURNEE_INSTANCE_PATH": str(instance),
    }
    flask_cli(url, "db", "upgrade", env=env)
    out = flask_cli(url, "stops", "create", "--region", "marrakech-safi", "--city", "Marrakech",
                    "--date", "2026-12-06", "--open", env=env)  # fmt: skip
    code = out.strip().splitlines()[-1].rsplit("/", 1)[-1]
    port = free_port()
    stack.enter_context(
        serve(gunicorn_args("wsgi:app", port), ROOT, env, f"http://127.0.0.1:{port}/healthz")
    )
    return f"http://127.0.0.1:{port}/api/v1/stops/{code}/submissions", database


def wrk(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", str(REFERENCE / "post.lua"), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = NON_2XX.search(out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} answers were not 2xx\n{out}")
    match = REQUESTS.search(out)
    if match is None:
        raise SystemExit(f"wrk printed no Requests/sec:\n{out}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk; `make bench-submit` does it)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="tournee-ratio-"))
    try:
        with ExitStack() as stack:
            targets = {
                "noop": bare(stack, work, noop=True),
                "bare": bare(stack, work, noop=False),
                "bare-normal": bare(stack, work, noop=False, sync="normal"),
            }
            targets["tournee"], stored = tournee(stack, work, "tournee", "")
            targets["no-regroup"], _ = tournee(
                stack, work, "noregroup", "REGROUP_DELAY_SECONDS = None\n"
            )
            results: dict[str, list[float]] = {name: [] for name in targets}
            print(f"load average at start: {os.getloadavg()[0]:.1f}")
            for round_ in range(1, args.rounds + 1):
                for name, url in targets.items():
                    results[name].append(wrk(url, args.seconds))
                line = "  ".join(f"{name} {values[-1]:8.1f}" for name, values in results.items())
                ratio = results["tournee"][-1] / results["bare"][-1]
                print(f"round {round_}: {line}   tournee/bare {ratio:.2f}")
                time.sleep(1)
            print(f"load average at end: {os.getloadavg()[0]:.1f}")
            medians = {name: statistics.median(values) for name, values in results.items()}
            ratios = [t / b for t, b in zip(results["tournee"], results["bare"], strict=True)]
            off = [t / b for t, b in zip(results["no-regroup"], results["bare"], strict=True)]
            print("median req/s: " + "  ".join(f"{n} {v:.1f}" for n, v in medians.items()))
            print(
                f"tournee / bare, median of rounds: {statistics.median(ratios):.2f} (goal >= 1.0)"
            )
            print(f"regrouping off / bare, median of rounds: {statistics.median(off):.2f}")
            same_sync = [
                t / b for t, b in zip(results["tournee"], results["bare-normal"], strict=True)
            ]
            print(f"tournee / bare-normal, median of rounds: {statistics.median(same_sync):.2f}")
            with sqlite3.connect(stored) as db:
                rows, distinct = db.execute(
                    "SELECT count(*), count(DISTINCT client_id) FROM submissions"
                ).fetchone()
            print(f"tournee stored {rows} rows, {distinct} distinct client ids")
            return 0 if rows == distinct else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
