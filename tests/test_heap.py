"""The web process's start-up objects are frozen out of the full garbage collections
(feedback_app/heap.py, called by wsgi.py), and start-up's garbage is not frozen with them."""

from __future__ import annotations

import gc
import weakref

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
