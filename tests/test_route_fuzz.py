"""Route fuzzer: every route of the URL map, for every role, never answers a 5xx.

Generic on purpose: routes are read from `app.url_map`, and the parameters each one reads are
discovered by watching which query and form keys its handler asks for (plus the field names of
the page it renders), so a route added tomorrow is fuzzed without touching this file.
Hypothesis then sends hostile values: huge and negative integers, dates at the calendar's
limits, NUL and lone surrogates, 10,000 characters, empty and repeated parameters; POSTs carry
a valid CSRF token so that the handler itself is reached. FUZZ_EXAMPLES (default 2) sets the
examples per route and role.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from urllib.parse import quote_from_bytes

import pytest
from flask import Flask, Request
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule

from feedback_app.extensions import taskqueue
from tests.staff import World, csrf_for, session_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
ROLES = ("anonymous", "delegate", "hq")
# Names tried on every route besides the discovered ones: common filters and paging.
COMMON_NAMES = ("q", "page", "date", "date_from", "date_to", "since", "until", "id", "region")
_FIELD_NAME = re.compile(r'\bname="([^"]{1,60})"')
_seen_keys: set[str] = set()

HOSTILE = [
    "",
    "0",
    "-1",
    "-99999999999999999999",
    "99999999999999999999",
    "99999999999999999999999",
    "2147483648",
    "9223372036854775808",
    "1e309",
    "NaN",
    "Infinity",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "2025-02-30",
    "9999-12-31T23:59:59+14:00",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\u202e\u200f",
    "\ufdfa" * 50,
    "x" * 10_000,
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "../../etc/passwd",
    "<script>",
    "true",
    "[]",
    "{}",
]
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))


class _RecordingArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query or form data that notes every key a handler (or its form) asks for."""

    def __contains__(self, key: object) -> bool:
        _seen_keys.add(str(key))
        return super().__contains__(key)

    def __getitem__(self, key):
        _seen_keys.add(str(key))
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        _seen_keys.add(str(key))
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _seen_keys.add(str(key))
        return super().getlist(key, type)


class _RecordingRequest(Request):
    parameter_storage_class = _RecordingArgs


def _encode(pairs: list[tuple[str, str]]) -> str:
    """URL-encoded pairs; lone surrogates go out as their (invalid) UTF-8 bytes."""
    return "&".join(
        quote_from_bytes(k.encode("utf-8", "surrogatepass"))
        + "="
        + quote_from_bytes(v.encode("utf-8", "surrogatepass"))
        for k, v in pairs
    )


def _routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _known_values(world: World) -> tuple[list[int], list[str]]:
    ints = sorted({v for v in world.ids.values() if isinstance(v, int)})
    texts = sorted({v for v in world.ids.values() if isinstance(v, str)})
    return ints, texts


def _in_path(rule: Rule) -> list[str]:
    """The rule's variable parts (an argument given by the rule's `defaults` is fixed text)."""
    return sorted(rule.arguments - set(rule.defaults or ()))


def _path_strategy(rule: Rule, world: World) -> st.SearchStrategy[dict[str, str]]:
    ints, texts = _known_values(world)
    int_values = st.one_of(
        st.sampled_from(ints),
        st.integers(min_value=0, max_value=10**25),
        st.sampled_from([0, 2**31, 2**63, 10**20]),
    )
    text_values = st.one_of(
        st.sampled_from(texts), hostile_text.filter(lambda s: s and "/" not in s)
    )
    strategies = {}
    for name in _in_path(rule):
        converter = type(rule._converters[name]).__name__.lower()
        strategies[name] = int_values.map(str) if "int" in converter else text_values
    return st.fixed_dictionaries(strategies)


def _pairs(names: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Every name once with a hostile value, then a few more (repeated) parameters."""
    every = st.tuples(*(st.tuples(st.just(name), hostile_text) for name in names)).map(list)
    extra = st.lists(st.tuples(st.sampled_from(names), hostile_text), max_size=3)
    return st.tuples(every, extra).map(lambda both: both[0] + both[1])


# Sent deterministically to every route and role, in every parameter at once, before the
# random examples: the values that broke routes before.
KILLERS = ["9999-12-31", "99999999999999999999999", "a\x00b", "x" * 10_000]


def _client(app: Flask, session, world: World, role: str) -> FlaskClient:
    if role == "anonymous":
        return app.test_client()
    email = world.emails["own"] if role == "delegate" else world.emails["hq"]
    return session_for(app, session, email)


def _send(
    app: Flask,
    client: FlaskClient,
    rule: Rule,
    method: str,
    path_values: dict[str, str],
    query: list[tuple[str, str]],
    form: list[tuple[str, str]],
):
    path = rule.rule
    for name in _in_path(rule):
        value = quote_from_bytes(path_values[name].encode("utf-8", "surrogatepass"), safe="")
        path = re.sub(rf"<[^>]*\b{re.escape(name)}>", value, path)
    if method == "GET":
        return client.get(path, query_string=_encode(query))
    form = [*form, ("csrf_token", csrf_for(app, client))]
    if rule.endpoint.startswith("api."):
        return client.post(path, query_string=_encode(query), json=dict(form))
    return client.post(
        path,
        query_string=_encode(query),
        data=_encode(form),
        content_type="application/x-www-form-urlencoded",
    )


def _discover(
    app: Flask, client: FlaskClient, rule: Rule, method: str, path_values: dict[str, str]
) -> list[str]:
    """The keys the handler reads and the field names of the page it renders."""
    _seen_keys.clear()
    response = _send(app, client, rule, method, path_values, [], [])
    html = response.get_data()[:200_000].decode("utf-8", "replace")
    names = set(_seen_keys) | set(_FIELD_NAME.findall(html))
    names.discard("csrf_token")
    return sorted(names | set(COMMON_NAMES))


def _default_path(rule: Rule, world: World) -> dict[str, str]:
    ints, texts = _known_values(world)
    values = {}
    for name in _in_path(rule):
        converter = type(rule._converters[name]).__name__.lower()
        guess = world.ids.get(name.removesuffix("_id")) or world.ids.get(f"{name}_a")
        if "int" in converter:
            values[name] = str(guess if isinstance(guess, int) else ints[0])
        else:
            values[name] = str(guess if isinstance(guess, str) else texts[0])
    return values


@pytest.mark.slow
def test_no_route_answers_a_server_error(app, session, world) -> None:
    app.request_class = _RecordingRequest
    failures: list[str] = []
    for rule, method in _routes(app):
        for role in ROLES:
            client = _client(app, session, world, role)
            names = _discover(app, client, rule, method, _default_path(rule, world))

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                phases=(Phase.generate,),  # no shrinking: the report names the route
                suppress_health_check=list(HealthCheck),
            )
            @given(path_values=_path_strategy(rule, world), query=_pairs(names), form=_pairs(names))
            def fuzz(
                path_values: dict[str, str],
                query: list[tuple[str, str]],
                form: list[tuple[str, str]],
            ) -> None:
                # A fresh cookie each time: a fuzzed sign-out must not end the next attempts.
                fresh = _client(app, session, world, role)  # noqa: B023
                response = _send(app, fresh, rule, method, path_values, query, form)  # noqa: B023
                assert response.status_code < 500, f"{method} {rule.rule} as {role}"  # noqa: B023

            try:
                for value in KILLERS:
                    response = _send(
                        app,
                        _client(app, session, world, role),
                        rule,
                        method,
                        _default_path(rule, world),
                        [(n, value) for n in names],
                        [(n, value) for n in names],
                    )
                    assert response.status_code < 500, (
                        f"{response.status_code} with every parameter = {value[:30]!r}"
                    )
                fuzz()
            except Exception as error:
                failures.append(f"{method} {rule.rule} as {role}: {error!r}"[:2000])
                if os.environ.get("FUZZ_DEBUG"):
                    raise
            session.rollback()
    taskqueue.join(app)  # export tasks started by the fuzzed requests
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(
    "endpoint, method, expected",
    [
        ("review.index", "GET", {"date_from", "date_to", "q", "stop"}),
        ("hq.exports", "POST", {"since", "until", "stops", "regions"}),
        ("hq.audit", "GET", {"user", "action", "page"}),
    ],
)
def test_discovery_finds_the_parameters_a_route_reads(
    app, session, world, endpoint: str, method: str, expected: set[str]
) -> None:
    # Without it the fuzzer would only send names it was told about: new routes would be
    # fuzzed in their path alone.
    app.request_class = _RecordingRequest
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    client = _client(app, session, world, "hq")
    names = set(_discover(app, client, rule, method, _default_path(rule, world)))
    assert expected <= names


@pytest.mark.parametrize("value", ["\x00", "a\x00b"])
def test_hostile_values_reach_the_handlers(app, session, world, value: str) -> None:
    # The fuzzer would pass vacuously if its requests never got past the CSRF check or the
    # sign-in: a signed-in HQ post with a token must reach the handler's validation.
    client = _client(app, session, world, "hq")
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "hq.stop_create")
    response = _send(app, client, rule, "POST", {}, [], [("city", value)])
    assert response.status_code in (200, 422)  # not 400 (CSRF) nor 302 (sign-in)
