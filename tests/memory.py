"""The process's own peak resident memory around a call (Linux), native allocations included."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def status_mb(field: str) -> float:
    """A /proc/self/status figure (VmRSS, VmHWM...) in MB."""
    match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    assert match, field
    return int(match.group(1)) / 1024


def peak_mb_above_start(call: Callable[[], T]) -> tuple[T, float]:
    """What `call` returns, and the process's peak resident memory during it above its start.

    VmHWM is reset to the current resident set through /proc/self/clear_refs, so the peak is
    this call's own, whatever the process held before; unlike tracemalloc it sees the memory of
    native code (pandas, calamine) too.
    """
    Path("/proc/self/clear_refs").write_text("5")
    start = status_mb("VmRSS")
    result = call()
    return result, status_mb("VmHWM") - start
