""" "Exporter cette liste": the review list's own filters, as a long-format CSV or an .xlsx.

The file must hold exactly the contributions the page lists, within the reader's regions, with
contact columns only when asked and allowed, formula-safe, and audited with its filter.
"""

from __future__ import annotations

import io
import re
import uuid
from urllib.parse import quote

import pandas as pd
import pytest
from sqlalchemy import select, update

from feedback_app.database import write_transaction
from feedback_app.exports.selection import BOM, COLUMNS, CONTACT_COLUMNS
from feedback_app.extensions import taskqueue
from feedback_app.labels import LIST_COLUMNS
from feedback_app.models import (
    FeedbackItem,
    Region,
    ReviewStatus,
    Role,
    Submission,
    SubmissionSource,
    User,
)
from feedback_app.services.capture.submissions import submit
from tests.review_world import T0, audit_events
from tests.staff import REGION_A, REGION_B, make_user, signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PAGE_ID = re.compile(r'name="submission_ids" value="(\d+)"')


@pytest.fixture
def listed(session, desk):
    """The desk with a shortlisted entry, a spam contribution and a formula-like one."""
    with write_transaction(session):
        session.execute(
            update(FeedbackItem)
            .where(FeedbackItem.submission_id == desk.subs["safi"], FeedbackItem.position == 1)
            .values(shortlisted=True)
        )
        session.execute(
            update(Submission)
            .where(Submission.id == desk.subs["agence"])
            .values(status=ReviewStatus.SPAM)
        )
    receipt = submit(
        session,
        desk.stop_a2.code,
        {
            "client_id": str(uuid.uuid4()),
            "organisation": '=HYPERLINK("http://x")',
            "category": "restauration",
            "items": [{"kind": "need", "text": "+SUM(A1) et « guillemets », virgules, ;"}],
        },
        source=SubmissionSource.FORM,
        received_at=T0.replace(hour=12),
    )
    desk.subs["formula"] = receipt.id
    return desk


def _region_id(session, slug: str) -> int:
    return session.scalar(select(Region.id).where(Region.slug == slug))


def _page_ids(client, query: str) -> list[int]:
    response = client.get(f"/review/?{query}")
    assert response.status_code == 200, query
    return [int(v) for v in _PAGE_ID.findall(response.get_data(as_text=True))]


def _csv(client, query: str) -> pd.DataFrame:
    response = client.get(f"/review/export.csv?{query}")
    assert response.status_code == 200, (query, response.status_code)
    assert response.content_type == "text/csv; charset=utf-8"
    return pd.read_csv(
        io.BytesIO(response.data), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )


def _ids_in_order(frame: pd.DataFrame) -> list[int]:
    return [int(v) for v in dict.fromkeys(frame["submission_id"])]


def _battery(session, desk) -> list[str]:
    themes, a = desk.themes, _region_id(session, REGION_A)
    return [
        "",
        "status=new",
        "status=spam",
        "kind=proposal",
        f"theme={themes['formation-rh']}",
        "theme=none",
        f"kind=proposal&theme={themes['formation-rh']}",
        f"kind=need&theme={themes['formation-rh']}",
        "shortlisted=1",
        "shortlisted=0",
        "q=former",
        "q=AEROPORT",
        "category=agence_voyages",
        f"stop={desk.stop_a2.id}",
        f"region={a}",
        "date_from=2025-03-01&date_to=2025-03-01",
        "source=form",
        f"region={a}&kind=proposal&shortlisted=1&status=new",
    ]


@pytest.mark.parametrize("who", ["hq", "delegate_a", "delegate_b"])
def test_the_file_lists_exactly_what_the_page_lists(app, session, listed, who) -> None:
    client = signed_in(app, getattr(listed, who).email)
    seen_any = set()
    for query in _battery(session, listed):
        page = _page_ids(client, query)
        if who == "delegate_b" and ("region=" in query or "stop=" in query):
            continue  # region A's region or stop is a bad filter for B (see the test below)
        frame = _csv(client, query)
        assert _ids_in_order(frame) == page, query
        seen_any.add(bool(page))
    assert seen_any == {True, False}  # the battery has both empty and non-empty lists


def test_entries_say_whether_they_meet_the_entry_filters(app, session, listed) -> None:
    client = signed_in(app, listed.hq.email)
    frame = _csv(client, "kind=proposal")
    riad = frame[frame["submission_id"] == str(listed.subs["riad"])]
    # The page lists the whole contribution; the file has all its entries and marks the match.
    assert list(riad["kind"]) == ["need", "proposal"]
    assert list(riad["matches_filter"]) == ["false", "true"]


def test_csv_parsed_back_equals_the_rows(app, session, listed) -> None:
    client = signed_in(app, listed.delegate_a.email)
    response = client.get("/review/export.csv")
    raw = response.data
    assert raw.startswith(BOM.encode("utf-8"))
    assert b"\r\n" in raw
    frame = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tuple(frame.columns) == COLUMNS
    stored = session.execute(
        select(FeedbackItem.id, FeedbackItem.text, Submission.organisation, Submission.reference)
        .join(Submission)
        .where(Submission.region_id == _region_id(session, REGION_A))
    ).all()
    by_id = {row[0]: row for row in stored}
    assert sorted(int(v) for v in frame["entry_id"]) == sorted(by_id)
    for record in frame.to_dict("records"):
        _item, text, organisation, reference = by_id[int(record["entry_id"])]
        formula = "'" if text.startswith(("=", "+")) else ""
        assert record["text"] == formula + text
        assert (
            record["organisation"] == ("'" if organisation.startswith("=") else "") + organisation
        )
        assert record["reference"] == reference
        assert record["region"] == REGION_A
    arabic = frame[frame["kind"] == "opportunity"]
    assert list(arabic["text"]) == ["السِّيَاحَة الثقافية في المدينة العتيقة"]
    assert list(
        frame[frame["entry_id"] == str(_first_item(session, listed.subs["riad"]))]["kind_name"]
    ) == ["Besoin"]


def _first_item(session, submission_id: int) -> int:
    return session.scalar(
        select(FeedbackItem.id)
        .where(FeedbackItem.submission_id == submission_id)
        .order_by(FeedbackItem.position)
    )


def test_a_delegate_never_gets_another_regions_rows(app, session, listed) -> None:
    client = signed_in(app, listed.delegate_b.email)
    frame = _csv(client, "")
    assert set(frame["region"]) == {REGION_B}
    assert "Riad" not in client.get("/review/export.csv").get_data(as_text=True)
    a = _region_id(session, REGION_A)
    for fmt in ("csv", "xlsx"):
        for query in (f"region={a}", f"stop={listed.stop_a1.id}"):
            response = client.get(f"/review/export.{fmt}?{query}")
            assert response.status_code == 422, query
            html = response.get_data(as_text=True)
            assert 'class="error"' in html and "Riad" not in html


def test_contacts_only_when_asked_and_allowed(app, session, listed) -> None:
    hq = signed_in(app, listed.hq.email)
    plain = hq.get("/review/export.csv").get_data(as_text=True)
    assert "fatima@example.ma" not in plain and "contact_email" not in plain
    frame = _csv(hq, "contacts=1")
    assert tuple(frame.columns) == COLUMNS + CONTACT_COLUMNS
    riad = frame[frame["submission_id"] == str(listed.subs["riad"])]
    assert set(riad["contact_email"]) == {"fatima@example.ma"}
    assert set(frame[frame["submission_id"] != str(listed.subs["riad"])]["contact_email"]) == {""}
    # A delegate holds exports:contacts for their own regions; an observer does not.
    delegate = signed_in(app, listed.delegate_a.email)
    assert "fatima@example.ma" in delegate.get("/review/export.csv?contacts=1").get_data(
        as_text=True
    )
    assert "contacts=1" in delegate.get("/review/").get_data(as_text=True)
    make_user(session, "observateur@example.ma", role=Role.OBSERVER, regions=(REGION_A,))
    observer = signed_in(app, "observateur@example.ma")
    assert "Riad Dar Atlas" in observer.get("/review/export.csv").get_data(as_text=True)
    for fmt in ("csv", "xlsx"):
        assert observer.get(f"/review/export.{fmt}?contacts=1").status_code == 403
    assert "contacts=1" not in observer.get("/review/").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["kind=poem", "date_from=31/02/2025", "date_from=2025-03-02&date_to=2025-03-01", "theme=-1"],
)
def test_a_bad_filter_answers_the_pages_message(app, session, listed, query) -> None:
    client = signed_in(app, listed.delegate_a.email)
    page = client.get(f"/review/?{query}").get_data(as_text=True)
    message = re.search(r'class="error"[^>]*>([^<]+)<', page).group(1)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/review/export.{fmt}?{query}")
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert audit_events(session, "export.review_list") == []


def test_the_xlsx_states_its_filter_and_is_formula_safe(app, session, listed) -> None:
    client = signed_in(app, listed.delegate_a.email)
    query = f"kind=need&theme=none&stop={listed.stop_a2.id}"
    response = client.get(f"/review/export.xlsx?{query}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "filename=contributions-need-sans-theme-etape-" in disposition
    assert disposition.endswith(".xlsx")
    sheet = pd.read_excel(io.BytesIO(response.data), engine="calamine", header=None, dtype=str)
    # The reader's headings (French here), one per column code, in the codes' order.
    table_start = int(sheet.index[sheet[0] == "N° de contribution"][0])
    assert list(sheet.iloc[table_start].dropna()) == [LIST_COLUMNS[c]["fr"] for c in COLUMNS]
    block = " ".join(sheet.iloc[:table_start].fillna("").to_numpy().ravel())
    assert "Filtre" in block and "Besoin" in block and "Sans thème" in block and "Safi" in block
    frame = pd.read_excel(
        io.BytesIO(response.data), engine="calamine", header=table_start, dtype=str
    )
    assert [int(v) for v in frame["N° de contribution"]] == [listed.subs["formula"]]
    assert frame["Organisation"].iloc[0] == '=HYPERLINK("http://x")'  # text, not a formula
    assert b"<f>" not in _sheet_xml(response.data)
    events = audit_events(session, "export.review_list")
    assert len(events) == 1
    after = events[0].after
    assert after["format"] == "xlsx" and after["entries"] == 1 and after["contacts"] is False
    assert after["filters"]["Type"] == "Besoin" and after["filename"] in disposition


def _sheet_xml(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_the_file_speaks_the_readers_language(app, session, listed) -> None:
    client = signed_in(app, listed.hq.email)
    client.get("/?lang=ar")
    response = client.get(f"/review/export.xlsx?lang=ar&region={_region_id(session, REGION_B)}")
    assert response.status_code == 200
    sheet = pd.read_excel(io.BytesIO(response.data), engine="calamine", header=None, dtype=str)
    arabic = [LIST_COLUMNS[c]["ar"] for c in COLUMNS]
    headings = [list(row.dropna()) for _i, row in sheet.iterrows()]
    assert arabic in headings, "the .xlsx is headed in the reader's language"
    assert "submission_id" not in " ".join(sheet.fillna("").to_numpy().ravel())
    frame = _csv(client, f"lang=ar&region={_region_id(session, REGION_B)}")
    # The CSV keeps its stable English codes whatever the reader's language.
    assert list(frame.columns) == list(COLUMNS)
    assert set(frame["region"]) == {REGION_B}
    assert all(re.search("[\u0600-\u06ff]", name) for name in frame["region_name"])
    assert all(re.search("[\u0600-\u06ff]", name) for name in frame["kind_name"])
    assert quote("souss-massa") in response.headers["Content-Disposition"]


def test_the_list_page_offers_its_filter_to_export(app, session, listed) -> None:
    client = signed_in(app, listed.delegate_a.email)
    html = client.get("/review/?kind=proposal&q=former&after=zz").get_data(as_text=True)
    assert "Exporter cette liste" in html
    assert 'href="/review/export.csv?kind=proposal&amp;q=former"' in html


def _job_file(app, client, response):
    """A large list's answer: the job page, then the file once the in-process worker is done."""
    assert response.status_code == 303, response.status_code
    job_url = response.headers["Location"]
    assert "/hq/exports/jobs/" in job_url
    taskqueue.join(app)
    page = client.get(job_url)
    assert page.status_code == 200
    assert "Télécharger la liste" in page.get_data(as_text=True)  # not "le classeur"
    return client.get(job_url + "/file")


def test_a_large_xlsx_goes_through_the_job_system(app, session, listed) -> None:
    app.config["EXPORT_BACKGROUND_ABOVE"] = 2
    client = signed_in(app, listed.hq.email)
    started = client.get("/review/export.xlsx?kind=proposal")
    # Audited when asked for, as a direct download, with its job.
    events = audit_events(session, "export.review_list")
    assert len(events) == 1 and events[0].after["format"] == "xlsx"
    job_id = started.headers["Location"].rsplit("/", 1)[-1]
    assert events[0].after["job"] == job_id
    assert events[0].after["filename"].startswith("contributions-proposal-")
    done = _job_file(app, client, started)
    assert done.status_code == 200 and done.mimetype == XLSX
    assert "filename=contributions-proposal-" in done.headers["Content-Disposition"]
    assert done.headers["Content-Disposition"].endswith(".xlsx")
    sheet = pd.read_excel(io.BytesIO(done.data), engine="calamine", header=None, dtype=str)
    start = int(sheet.index[sheet[0] == "N° de contribution"][0])
    block = " ".join(sheet.iloc[:start].fillna("").to_numpy().ravel())
    assert "Proposition" in block  # the header block states the filter, as the direct file
    frame = pd.read_excel(io.BytesIO(done.data), engine="calamine", header=start, dtype=str)
    ids = [int(v) for v in dict.fromkeys(frame["N° de contribution"])]
    assert ids == _page_ids(client, "kind=proposal") and len(frame) > 2
    # Small selections stay direct.
    direct = client.get("/review/export.xlsx?category=agence_voyages")
    assert direct.status_code == 200 and direct.mimetype == XLSX


def test_a_large_csv_goes_through_the_job_system_and_equals_the_direct_file(
    app, session, listed
) -> None:
    client = signed_in(app, listed.delegate_a.email)
    direct = _csv(client, "status=new")
    app.config["EXPORT_LIST_CSV_BACKGROUND_ABOVE"] = 2
    done = _job_file(app, client, client.get("/review/export.csv?status=new"))
    assert done.status_code == 200 and done.mimetype == "text/csv"
    assert done.data.startswith(BOM.encode())
    assert "filename=contributions-new-" in done.headers["Content-Disposition"]
    built = pd.read_csv(
        io.BytesIO(done.data), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert built.equals(direct)  # the delegate's regions only, as the direct file
    assert set(built["region"]) == {REGION_A}


def test_the_per_user_cap_of_jobs_holds_for_lists(app, session, listed) -> None:
    app.config["EXPORT_BACKGROUND_ABOVE"] = 2
    app.config["EXPORT_JOBS_PER_USER"] = 0
    client = signed_in(app, listed.hq.email)
    refused = client.get("/review/export.xlsx?kind=proposal", follow_redirects=True)
    assert refused.request.path == "/review/"
    assert "export" in refused.get_data(as_text=True) and "attendez" in refused.get_data(
        as_text=True
    )
    assert audit_events(session, "export.review_list") == []


def test_a_list_job_follows_its_owners_current_regions(app, session, listed) -> None:
    app.config["EXPORT_LIST_CSV_BACKGROUND_ABOVE"] = 1
    client = signed_in(app, listed.delegate_a.email)
    started = client.get("/review/export.csv")
    job_url = started.headers["Location"]
    taskqueue.join(app)
    assert client.get(job_url + "/file").status_code == 200
    with write_transaction(session):
        delegate = session.get(User, listed.delegate_a.id)
        delegate.regions = [session.scalar(select(Region).where(Region.slug == REGION_B))]
    assert client.get(job_url + "/file").status_code == 404
