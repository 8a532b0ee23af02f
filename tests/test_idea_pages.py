"""The idea-group pages: a delegate and HQ rename, split, merge; errors stay next to the field."""

from __future__ import annotations

from sqlalchemy import select

from feedback_app.models import AuditEvent, IdeaGroup, IdeaGroupTitle
from tests.staff import csrf_for


def test_rename_error_is_shown_next_to_the_field_and_the_text_kept(
    app, session, world, own
) -> None:
    group = world.ids["group_a"]
    page = own.get(f"/review/ideas/{group}")
    assert "former les guides" in page.get_data(as_text=True)
    long_title = "x" * 201
    refused = own.post(
        f"/review/ideas/{group}/rename",
        data={"title": long_title, "csrf_token": csrf_for(app, own)},
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="rename-title-field-error"' in body and "200 caractères au plus" in body
    assert f'value="{long_title}"' in body
    done = own.post(
        f"/review/ideas/{group}/rename",
        data={"title": "Former les guides", "csrf_token": csrf_for(app, own)},
    )
    assert done.status_code == 302
    page = own.get(f"/review/ideas/{group}").get_data(as_text=True)
    assert '<h1><span class="idea-title" dir="auto"' in page
    assert ">Former les guides</span></h1>" in page
    session.expire_all()
    titles = session.scalars(select(IdeaGroupTitle.title).where(IdeaGroupTitle.group_id == group))
    assert list(titles) == ["Former les guides"]  # region A's title, not the national one
    assert not session.get(IdeaGroup, group).title_locked
    assert (
        session.scalar(select(AuditEvent.user_id).where(AuditEvent.action == "idea_group.rename"))
        == world.ids["delegate_a"]
    )


def test_split_and_merge_through_the_pages(app, session, world, hq) -> None:
    group = world.ids["group_a"]
    token = csrf_for(app, hq)
    split = hq.post(
        f"/review/ideas/{group}/split",
        data={"items": str(world.ids["item_a"]), "csrf_token": token},
    )
    assert split.status_code == 302
    assert hq.get(f"/review/ideas/{group}").status_code == 404  # one item left: no group
    merge = hq.post(f"/review/ideas/{group}/merge", data={"other": "abc", "csrf_token": token})
    assert merge.status_code == 404  # the group itself is gone from every view
    listing = hq.get(f"/review/?group={group}")
    assert listing.status_code == 404


def test_review_list_filters_on_a_group(app, session, world, own) -> None:
    page = own.get(f"/review/?group={world.ids['group_a']}").get_data(as_text=True)
    assert "Organisation-Secrete-A" in page and "Organisation B" not in page
    assert f'name="group" value="{world.ids["group_a"]}"' in page
    merged = own.post(
        f"/review/ideas/{world.ids['group_a']}/merge",
        data={"other": "999999", "csrf_token": csrf_for(app, own)},
    )
    assert merged.status_code == 422
    assert "Numéro de groupe inconnu." in merged.get_data(as_text=True)
