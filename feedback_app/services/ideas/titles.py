"""Which title of an idea group a reader sees, and the counter that tells caches it changed.

A reading is regional (a delegate's pages, a region's brief, a stop's live screen, a workbook
of chosen regions) or national (HQ's pages and HQ's whole-country workbook). For a regional
reading, three kinds of title, first found wins:

1. **A region's title**, written by a delegate for the items of their region(s) in the group
   (`IdeaGroupTitle`, one per group and region). A reader sees it only when every item of the
   group they see is in regions carrying that same title: region B's reader, screen, brief and
   workbook never see region A's delegate's words, whatever a regrouping or a merge brings into
   the group, and a delegate can always name the items of their own regions.
2. **The national title**, written by HQ (`IdeaGroup.title` with `title_locked`): for everyone
   whose region has no title of its own.
3. **The automatic title**: the text of the most typical item the reader sees (each caller
   picks it within its own scope, so it never quotes another region either).

A national reading sees 2, else 3: HQ's rename is what HQ reads back, and no delegate's words
name a group for the whole country.

`person_titles` answers 1 and 2; callers fall back to 3 themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from feedback_app.models import IdeaGroup, IdeaGroupingState, IdeaGroupTitle


def person_titles(
    session: Session, seen: Mapping[int, Collection[int]], *, national: bool = False
) -> dict[int, str]:
    """group id -> the title a person wrote that this reader may see.

    `seen` maps each group to the regions of the items the reader sees in it (for a national
    reading, only the keys matter). Groups without such a title are left out (the caller shows
    its automatic title).
    """
    ids = [gid for gid, regions in seen.items() if regions or national]
    if not ids:
        return {}
    # Titles people wrote are few: read them all rather than pass thousands of ids.
    wanted = set(ids)
    hq_titles = {
        gid: title
        for gid, title in session.execute(
            select(IdeaGroup.id, IdeaGroup.title).where(IdeaGroup.title_locked.is_(True))
        )
        if gid in wanted
    }
    if national:
        return hq_titles
    regional: dict[int, dict[int, str]] = defaultdict(dict)
    rows = session.execute(
        select(IdeaGroupTitle.group_id, IdeaGroupTitle.region_id, IdeaGroupTitle.title)
    )
    for group_id, region_id, title in rows:
        if group_id in wanted:
            regional[group_id][region_id] = title
    chosen: dict[int, str] = {}
    for gid in ids:
        written = {regional[gid].get(region_id) for region_id in seen[gid]}
        if len(written) == 1 and None not in written:
            chosen[gid] = written.pop() or ""
        elif gid in hq_titles:
            chosen[gid] = hq_titles[gid]
    return chosen


def count_curation(session: Session) -> None:
    """Tell every worker's cache that a person changed a group (in the caller's transaction)."""
    session.execute(update(IdeaGroupingState).values(curations=IdeaGroupingState.curations + 1))


def groups_version(session: Session) -> tuple[str, ...]:
    """What changes whenever a group's memberships or titles change: a regrouping (its stamp)
    or a person's decision (the curation counter). One primary-key read."""
    row = session.execute(
        select(IdeaGroupingState.ran_at, IdeaGroupingState.fingerprint, IdeaGroupingState.curations)
    ).first()
    return tuple(str(value) for value in row) if row else ()
