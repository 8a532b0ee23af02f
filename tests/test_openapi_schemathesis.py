"""The JSON API against its OpenAPI document (/api/v1/openapi.json), fuzzed by schemathesis.

Through the app's WSGI interface, with an open and a closed stop so that storing, replaying,
refusing and "not open" are all reached: no 5xx, and every answer is one the document lists,
with the content type and the body schema it promises. Examples are bounded and derandomised
so the run is repeatable and stays well under a minute per database.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from feedback_app.api.openapi import CATEGORY_CODES, OPENAPI
from feedback_app.models import Category, StopStatus, Submission, User
from feedback_app.services.accounts.api_tokens import create_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 150


def test_the_document_is_served_as_json(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    assert response.json == OPENAPI
    assert response.json["openapi"].startswith("3.")


def test_the_document_lists_every_api_route(app) -> None:
    routes = {str(rule) for rule in app.url_map.iter_rules() if str(rule).startswith("/api/")}
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path in OPENAPI["paths"]}
    assert routes == documented


def test_the_documented_categories_are_the_stored_ones(session) -> None:
    assert set(CATEGORY_CODES) == set(session.scalars(select(Category.code)))


@pytest.mark.slow
def test_the_api_keeps_the_promises_of_its_openapi_document(app, session, make_stop) -> None:
    open_code = make_stop().code
    closed_code = make_stop(city="Essaouira", status=StopStatus.CLOSED).code
    # The feed has its own run below: here its eight operations would crowd out the form's.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).exclude(
        path_regex="^/api/v1/feed/"
    )
    cases = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        cases += [schema.as_strategy(mode, path_parameters={"code": open_code})] * 3
        cases += [
            schema.as_strategy(mode, path_parameters={"code": closed_code}),
            schema.as_strategy(mode),
        ]  # whatever code: mostly 404
    seen: set[int] = set()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(cases))
    def exercise(case) -> None:
        # Uncompressed: the WSGI transport does not decode the gzip the app serves GETs with.
        response = case.call(headers={"Accept-Encoding": "identity"})
        seen.add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    exercise()
    stored = session.scalar(select(func.count()).select_from(Submission))
    assert stored > 0, "no generated submission was ever stored: the happy path was not reached"
    assert {201, 404, 409, 422} <= seen, seen


def test_the_feed_keeps_the_promises_of_its_openapi_document(app, session, world) -> None:
    hq = session.scalar(select(User).where(User.email == world.emails["hq"]))
    assert hq is not None
    token = create_token(session, hq, name="schemathesis", days=30).token
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).include(
        path_regex="^/api/v1/feed/"
    )
    cases = [schema.as_strategy(mode) for mode in GenerationMode]
    seen: set[int] = set()

    @settings(
        max_examples=80,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(cases), with_token=st.booleans())
    def exercise(case, with_token: bool) -> None:
        headers = {"Accept-Encoding": "identity"}
        if with_token:
            headers["Authorization"] = f"Bearer {token}"
        response = case.call(headers=headers)
        seen.add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    exercise()
    assert {200, 401, 422} <= seen, seen
