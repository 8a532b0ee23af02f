"""The web process's start-up objects are frozen out of the full garbage collections
(feedback_app/heap.py, called by wsgi.py), and start-up's garbage is not frozen with them; the
web process does not load what only the grouping needs."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref
from pathlib import Path

from feedback_app.heap import freeze_startup_objects


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_start_up_objects_leave_the_collector_and_start_up_garbage_is_freed_first() -> None:
    kept = _Node()
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage
    try:
        freeze_startup_objects()
        assert gone() is None  # collected before the freeze, not kept for the process's life
        tracked = {id(obj) for obj in gc.get_objects()}
        assert id(kept) not in tracked  # a full collection no longer visits it
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the rest of the test process collects as usual
    assert id(kept) in {id(obj) for obj in gc.get_objects()}


_WEB_WORKER = """
import json, sys
from wsgi import app
client = app.test_client()
pages = [client.get(path).status_code for path in ("/", "/login", "/healthz")]
print(json.dumps({"pages": pages, "loaded": sorted(
    name for name in ("sklearn", "scipy", "feedback_app.services.ideas.clustering")
    if name in sys.modules
)}))
"""


def test_a_web_worker_loads_no_grouping_library(tmp_path) -> None:
    # scikit-learn and SciPy cost a web worker about 1 s of start-up and 75 MB; only the
    # processes that group load them (services/ideas/groups.py). A fresh interpreter: this
    # test process has long imported them.
    env = {
        "PATH": "/usr/bin:/bin",
        "TOURNEE_ENV": "testing",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite'}",
        "TOURNEE_INSTANCE_PATH": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", _WEB_WORKER],
        env=env,
        cwd=Path(__file__).resolve().parents[1],  # where wsgi.py is
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert report["pages"][1] == 200  # the app did serve
