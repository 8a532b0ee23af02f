"""The suite's schedule: tests marked `xdist_group` share one worker under `--dist loadgroup`.

The layout test's five widths and the whole workbook's three print checks each build one costly
fixture (a seeded site, a LibreOffice conversion) that only pays off on one worker. pytest 9.2
broke the grouping without a failure (pytest-dev/pytest-xdist#1386); this test notices.
"""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("schedule-check")
def test_a_grouped_test_is_sent_with_its_group(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run with --dist loadgroup (make test does)")
    assert request.node.nodeid.endswith("@schedule-check")
