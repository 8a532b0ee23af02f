"""`python -m tests.slow_worker --app feedback_app worker`: a real worker whose export builds
pause SLOW_WORKER_ROW_DELAY seconds per row, so that a test can kill it mid-build."""

from __future__ import annotations

import os
import time

from flask.cli import main

from feedback_app.services.export import plan

_stream_items = plan.stream_items


def _slow_stream_items(*args, **kwargs):
    delay = float(os.environ.get("SLOW_WORKER_ROW_DELAY", "0"))
    for row in _stream_items(*args, **kwargs):
        time.sleep(delay)
        yield row


plan.stream_items = _slow_stream_items

if __name__ == "__main__":
    main()
