"""The follow-up bench the README gives runs to the end on a small tour.

A bench that fails for a reason of its own hides what it measures: bench/followup.py stopped
at its first commitment once the group checks read the idea tallies, which its hand-made
groups did not have (ValidationFailed: group_ids). It is run here as the README runs it, on
SQLite and at a size of seconds; its figures are not judged here (that is the bench's
job on a quiet machine), only that it gets through every step.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_the_followup_bench_runs_to_the_end(tmp_path: Path) -> None:
    small = ["--backend", "sqlite", "--submissions", "400", "--groups", "4"]
    small += ["--commitments", "2", "--requests", "3"]
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": ""}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "followup.py"), *small],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "p95" in done.stdout, done.stdout[-2000:]
