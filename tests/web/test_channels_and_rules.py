"""What found a claim and who carried the words: stored at ingest, shown on the claim page,
filtered on in the claims list, exported, and bad filter input refused with a message."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from factdb.errors import InputError
from factdb.models import Editor
from factdb.services.ingest import IngestResult, ingest_text
from factdb.services.queries import CHANNEL_FILTER_MAX, channel_value
from tests.handmade import Said, handmade
from tests.web.conftest import claims_of

Client = Callable[[str], FlaskClient]

ARTICLE = (
    "Ferry Talks Stall\n"
    "TASS quoted Ana Ruiz as saying that the ferry talks had stalled.\n"
    "Port chief Tom Berg told reporters the pier would reopen on Monday.\n"
    "The harbour was quiet."
)


#: What an extraction of ARTICLE says, stated here (what the engine finds is tests/extract's business).
EXTRACTION = handmade(
    ARTICLE,
    Said("Ana Ruiz", "quoted", "the ferry talks had stalled", channel="TASS", rule="quoted-as-saying"),
    Said(
        "Port chief Tom Berg",
        "told",
        "the pier would reopen on Monday",
        speaker="Tom Berg",
        rule="speaker-first",
    ),
)


@pytest.fixture
def chained(db_session: Session, editor: Editor) -> IngestResult:
    return ingest_text(
        db_session, editor, ARTICLE, title="Ferry talks", outlet="Harbour Wire", extraction=EXTRACTION
    )


def test_ingest_stores_the_rule_and_the_channel(db_session: Session, chained: IngestResult) -> None:
    rows = [(c.content, c.rule, c.channel) for c in claims_of(db_session, chained.source)]
    assert rows == [
        ("the ferry talks had stalled", "quoted-as-saying", "TASS"),
        ("the pier would reopen on Monday", "speaker-first", None),
        ("The harbour was quiet.", None, None),
    ]


def test_the_claim_page_says_what_found_it_and_who_carried_it(
    as_role: Client, db_session: Session, chained: IngestResult
) -> None:
    quoted, told, _ = claims_of(db_session, chained.source)
    db_session.commit()
    page = as_role("viewer").get(f"/claims/{quoted.id}").get_data(as_text=True)
    assert "Found by" in page and "<code>quoted-as-saying</code>" in page
    assert '<dt>Channel</dt><dd><a href="/?channel=TASS">TASS</a></dd>' in page
    other = as_role("viewer").get(f"/claims/{told.id}").get_data(as_text=True)
    assert "<code>speaker-first</code>" in other and "<dt>Channel</dt><dd>—</dd>" in other


def test_the_claims_list_filters_by_channel(
    as_role: Client, db_session: Session, chained: IngestResult
) -> None:
    quoted = claims_of(db_session, chained.source)[0]
    db_session.commit()
    client = as_role("viewer")
    listing = client.get("/?channel=TASS").get_data(as_text=True)
    assert f'href="/claims/{quoted.id}?' in listing and "the pier would reopen" not in listing
    assert 'name="channel" value="TASS"' in listing
    assert "the ferry talks" not in client.get("/?channel=Interfax").get_data(as_text=True)
    exported = client.get("/export/claims.csv?channel=TASS").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["claim_id"], r["channel"], r["found_by"]) for r in rows] == [
        (str(quoted.id), "TASS", "quoted-as-saying")
    ]
    records = json.loads(client.get(f"/export/claims.json?source={chained.source.id}").get_data(as_text=True))
    assert [(r["channel"], r["found_by"]) for r in records] == [
        ("TASS", "quoted-as-saying"),
        (None, "speaker-first"),
        (None, None),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("TA\x07SS", "channel contains the control character U+0007"),
        ("x" * 201, "channel is longer than 200"),
    ],
)
def test_a_bad_channel_filter_is_400_with_a_message(as_role: Client, value: str, message: str) -> None:
    response = as_role("viewer").get("/", query_string={"channel": value})
    assert response.status_code == 400 and message in response.get_data(as_text=True)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=260))
def test_channel_values_are_accepted_or_refused_with_a_message(raw: str) -> None:
    try:
        value = channel_value(raw)
    except InputError as exc:
        assert str(exc).startswith("channel ")
        return
    assert value is None or (0 < len(value) <= CHANNEL_FILTER_MAX and value == value.strip())
