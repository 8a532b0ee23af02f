"""The web process's heap after start-up, kept out of Python's full garbage collections.

A loaded app holds about 240,000 objects tracked by the cyclic collector (modules, SQLAlchemy's
mappers, Jinja, Babel, numpy). A collection of the oldest generation visits every one of them:
140 ms on a quiet core, 400-600 ms on a loaded one, about once every hundred requests, and the
request that triggers it pays for it (the review list's single slow requests at 1,000,000
submissions: 158-248 ms where the same page's median is 18-87 ms). Those objects live as long
as the process; frozen, a full collection visits only what requests left behind (tens of
thousands of objects: caches of compiled statements and templates).
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Move every object alive now out of the collector's reach, after collecting the garbage
    of start-up (which would otherwise be kept forever). Call once, when the app is built and
    before it serves; not in tests, which build many apps in one process."""
    gc.collect()
    gc.freeze()
