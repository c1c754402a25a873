"""No request answers 5xx: every route and parameter of the app, logged out and as each role.

The routes are read from the app's own URL map, so a new route is covered the day it is added; the
form fields from the WTForms classes plus the few fields views read directly. Two runs:

- a sweep: every route and method, as every role, with each hostile path id and one hostile value in
  every known parameter and field at once;
- a property-based run (hypothesis): random routes, path values, query parameters and form fields
  drawn from hostile and ordinary values (huge integers, NUL and other control characters, huge
  strings, impossible dates, javascript: links, real ids), as a random role.

Its size is the hypothesis profile's (``HYPOTHESIS_PROFILE``: ``ci`` by default, ``thorough`` for a
longer local run); see tests/conftest.py.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.test import TestResponse
from wtforms.fields.core import UnboundField

from factdb.models import Editor, SpeakerAlias
from factdb.services.ingest import IngestResult
from factdb.web import auth, forms
from factdb.web.claims import LIST_PARAMS
from factdb.web.filters import AUDIT_PARAMS
from tests.conftest import TEST_PASSWORD
from tests.web.conftest import claims_of

ROLES = ("anonymous", "viewer", "editor", "admin")

#: Values no route should choke on: out-of-range and malformed numbers, impossible dates,
#: control characters, links that are not http(s), and very long text.
HOSTILE = (
    "", " ", "0", "-1", "1.5", "1e9", "0x1f", "١٢", str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63),
    str(2**64), "9" * 5000, "9999-12-31", "0001-01-01", "2025-02-30", "2025-13-01", "99999-01-01",
    "2025-03-15T25:00", "\x00", "a\x00b", "\x1b[31m", "\x7f", "\x85", "\u2028", "\ufeff",
    "javascript:alert(1)", "//evil.example/x", "/%09/evil.example", "https://", "x" * 20_000,
    "<script>alert(1)</script>", "' OR 1=1 --", "%", "_", "\\", "null", "true", "[]", "{}",
    "disputed", "confirmed", "asserts", "repeats", "selected", "filter", "page", "admin", "next",
)  # fmt: skip

#: Path ids: beyond the database's range, zero, and (added per test) ids that exist.
HOSTILE_IDS = ("0", str(2**31), str(2**63), str(2**64), "9" * 5000, "00000000001", "1")

#: Form fields views read without a form class (lists of ids, hidden fields, buttons).
LOOSE_FIELDS = (
    "claim_ids", "page_ids", "override", "list", "assign_to", "action", "then", "confirm",
    "evidence-0-url", "evidence-0-stance", "evidence-0-title", "evidence-1-url", "csrf_token",
    "apply", "other", "claim", "target", "variant", "name",
)  # fmt: skip

#: Query parameters the views read, beyond the claim and audit filters.
QUERY_PARAMS = (*LIST_PARAMS, *AUDIT_PARAMS, "page", "after", "before", "bom", "next", "_method", "show", "q")


def _form_fields() -> tuple[str, ...]:
    """Every field name of every form class the web UI defines."""
    names: set[str] = set(LOOSE_FIELDS)
    for module in (forms, auth):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls is not FlaskForm:
                names.update(n for n, v in inspect.getmembers(cls) if isinstance(v, UnboundField))
    return tuple(sorted(names))


FORM_FIELDS = _form_fields()


#: A path argument in a rule: ``<int:claim_id>`` or ``<fmt>``.
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass
class Target:
    """One route and method, with its path arguments and whether each is an id."""

    rule: Rule
    method: str
    ids: dict[str, bool] = field(default_factory=dict)

    def path(self, values: dict[str, str]) -> str:
        """The rule's path with ``values`` put in (quoted, so any text stays one path segment)."""
        return ARGUMENT.sub(lambda m: quote(values[m.group(1)], safe=""), self.rule.rule)


def targets(app: Flask) -> list[Target]:
    """Every route and method of the app (static files aside)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        ids = {
            name: isinstance(converter, IntegerConverter)
            for name, converter in rule._converters.items()  # werkzeug keeps them here
        }
        # Arguments in the order they appear in the path.
        ordered = {m.group(1): ids[m.group(1)] for m in ARGUMENT.finditer(rule.rule)}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Target(rule, method, ordered))
    return found


class Clients:
    """A test client per role, logged in once and again whenever a request ended its session."""

    def __init__(self, app: Flask, usernames: dict[str, str]) -> None:
        self.app = app
        self.usernames = usernames
        self.clients: dict[str, FlaskClient] = {}

    def get(self, role: str) -> FlaskClient:
        client = self.clients.get(role)
        if client is None:
            # Each role from its own address: failed logins drawn for one never throttle another.
            client = self.app.test_client()
            client.environ_base["REMOTE_ADDR"] = f"10.0.0.{ROLES.index(role) + 1}"
            self.clients[role] = client
            if role != "anonymous":
                client.post("/login", data={"username": self.usernames[role], "password": TEST_PASSWORD})
        return client

    def after(self, role: str, response: TestResponse) -> None:
        """Forget a client whose session a request ended (logout, password change, deactivation)."""
        if role != "anonymous" and response.status_code == 302 and "/login" in (response.location or ""):
            self.clients.pop(role, None)


def send(clients: Clients, role: str, target: Target, path: str, query: list[tuple[str, str]],
         form: list[tuple[str, str]]) -> TestResponse:  # fmt: skip
    """Send one request and read its whole body (a streamed export fails while it is read)."""
    client = clients.get(role)
    url = f"{path}?{urlencode(query)}" if query else path
    if target.method == "GET":
        response = client.get(url)
    else:
        response = client.open(url, method=target.method, data=MultiDict(form))
    response.get_data()
    clients.after(role, response)
    return response


def assert_answered(response: TestResponse, what: str) -> None:
    assert response.status_code < 500, (
        f"{what} -> {response.status_code}: {response.get_data(as_text=True)[:800]}"
    )


@pytest.fixture
def world(
    app: Flask, db_session: Session, sample: IngestResult, admin: Editor, editor: Editor, viewer: Editor
) -> Iterator[tuple[Clients, list[Target], list[str]]]:
    """The app over the sample article, its routes, clients per role, and ids that exist."""
    claims = claims_of(db_session, sample.source)
    real_ids = {str(sample.source.id), str(claims[0].id), str(claims[-1].id), str(admin.id), str(viewer.id)}
    real_ids |= {str(c.speaker_id) for c in claims[:5] if c.speaker_id}
    real_ids |= {str(a) for a in db_session.scalars(select(SpeakerAlias.id).limit(5))}
    usernames = {"viewer": viewer.username, "editor": editor.username, "admin": admin.username}
    yield Clients(app, usernames), targets(app), sorted(real_ids)


def test_the_route_list_is_complete(app: Flask) -> None:
    # A guard on the enumeration itself: the sweep below covers what the app serves.
    found = {(t.rule.rule, t.method) for t in targets(app)}
    assert ("/claims/<int:claim_id>/review", "POST") in found
    assert ("/login", "POST") in found and ("/export/claims.<fmt>", "GET") in found
    assert len(found) >= 30
    assert {"rationale", "related_claim", "content_start", "published", "username", "url"} <= set(FORM_FIELDS)


@pytest.mark.parametrize("role", ROLES)
def test_sweep_every_route_with_hostile_values(
    world: tuple[Clients, list[Target], list[str]], role: str
) -> None:
    clients, routes, real_ids = world
    for target in routes:
        # Every hostile id on routes that take one; three rounds of hostile values on the others.
        rounds = HOSTILE_IDS + tuple(real_ids[:2]) if any(target.ids.values()) else HOSTILE_IDS[:3]
        for index, id_value in enumerate(rounds):
            values = {
                name: id_value if is_id else HOSTILE[index % len(HOSTILE)]
                for name, is_id in target.ids.items()
            }
            hostile = HOSTILE[(index * 7) % len(HOSTILE)]
            query = [(name, hostile) for name in QUERY_PARAMS]
            form = [(name, hostile) for name in FORM_FIELDS] if target.method != "GET" else []
            # The path alone, then with the hostile value in every parameter and field at once.
            for sent_query, sent_form in (([], []), (query, form)):
                response = send(clients, role, target, target.path(values), sent_query, sent_form)
                what = f"{role} {target.method} {target.path(values)[:120]} with {hostile[:40]!r}"
                assert_answered(response, what)


def _values(real_ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(real_ids),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates().map(lambda d: d.isoformat()),
        st.text(max_size=60),
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=3000),
    )


#: A drawn request: role, route, path, query parameters, form fields.
Drawn = tuple[str, Target, str, list[tuple[str, str]], list[tuple[str, str]]]


@st.composite
def requests(draw: st.DrawFn, routes: list[Target], real_ids: list[str]) -> Drawn:
    role = draw(st.sampled_from(ROLES))
    target = draw(st.sampled_from(routes))
    ids = st.one_of(st.sampled_from(HOSTILE_IDS), st.sampled_from(real_ids), st.integers(0, 2**80).map(str))
    values = {name: draw(ids if is_id else _values(real_ids)) for name, is_id in target.ids.items()}
    names = st.one_of(st.sampled_from(QUERY_PARAMS), st.text(min_size=1, max_size=20))
    query = draw(st.lists(st.tuples(names, _values(real_ids)), max_size=6))
    form: list[tuple[str, str]] = []
    if target.method != "GET":
        fields = st.one_of(st.sampled_from(FORM_FIELDS), st.text(min_size=1, max_size=20))
        form = draw(st.lists(st.tuples(fields, _values(real_ids)), max_size=10))
    return role, target, target.path(values), query, form


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_random_requests_never_answer_5xx(
    world: tuple[Clients, list[Target], list[str]], data: st.DataObject
) -> None:
    clients, routes, real_ids = world
    role, target, path, query, form = data.draw(requests(routes, real_ids))
    response = send(clients, role, target, path, query, form)
    assert_answered(response, f"{role} {target.method} {path[:120]} query={query!r:.300} form={form!r:.300}")
