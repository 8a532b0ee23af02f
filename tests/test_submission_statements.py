"""What one submission costs the database: the statements of one API post and one form post.

The submission path is the hottest in the product (README "Benchmarks"): every statement is a
round trip and, above all on SQLite, Python work in SQLAlchemy. These ceilings are today's
counts; a change that adds a statement must say why here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from feedback_app.extensions import db
from tests.conftest import csrf_token, hidden_value, valid_payload

# The stop with a stored replay of the client_id, the categories and themes, the submission,
# its items (one executemany), the stop's tallies.
API_POST_STATEMENTS = 5
# The same, and what the form page itself reads to render its choices again on an error (the
# stop, the categories, the themes).
FORM_POST_STATEMENTS = 8
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_an_api_post_costs_five_statements(client, open_stop) -> None:
    url = f"/api/v1/stops/{open_stop.code}/submissions"
    items = [{"kind": kind, "text": "Former le personnel."} for kind in ("need", "proposal")] * 2
    payload = valid_payload(items=items)
    db.session.remove()
    with statements() as seen:
        assert client.post(url, json=payload).status_code == 201
    assert len(seen) <= API_POST_STATEMENTS, "\n".join(seen)

    with statements() as replay:  # a retry after a lost answer: one lookup, nothing written
        assert client.post(url, json=payload).status_code == 200
    assert len(replay) <= 1, "\n".join(replay)


def test_a_form_post_costs_eight_statements(client, open_stop) -> None:
    page = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "client_id": hidden_value(page, "client_id"),
        "organisation": "Riad Dar Atlas",
        "category": "hebergement",
        "need-0-text": "Former le personnel.",
        "proposal-0-text": "Un guichet unique.",
    }
    db.session.remove()
    with statements() as seen:
        response = client.post(f"/f/{open_stop.code}", data=data)
    assert response.status_code in (302, 303)
    assert len(seen) <= FORM_POST_STATEMENTS, "\n".join(seen)
