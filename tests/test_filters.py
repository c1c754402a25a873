"""The query-string form of a claim filter: parsed strictly, written back losslessly."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from factdb.enums import ClaimStatus, Stance
from factdb.errors import InputError
from factdb.models import Editor
from factdb.web.filters import claim_filter_from_args, filter_to_args


def test_round_trip(db_session: Session, editor: Editor) -> None:
    args = MultiDict(
        [
            ("status", "disputed"),
            ("status", "false"),
            ("speaker", "7"),
            ("affiliated", "1"),
            ("source", "3"),
            ("outlet", "Sample Wire"),
            ("stance", "denies"),
            ("from", "2025-03-01"),
            ("to", "2025-03-31"),
            ("reviewed_from", "2025-04-01"),
            ("reviewed_to", "2025-04-02"),
            ("editor", "eddie"),
            ("q", "Sudzha"),
        ]
    )
    parsed = claim_filter_from_args(args, db_session)
    assert parsed.statuses == (ClaimStatus.DISPUTED, ClaimStatus.FALSE)
    assert (parsed.speaker_id, parsed.include_affiliated, parsed.source_id) == (7, True, 3)
    assert parsed.stance is Stance.DENIES and parsed.published_from == dt.date(2025, 3, 1)
    assert parsed.editor_id == editor.id and parsed.text == "Sudzha"
    assert claim_filter_from_args(MultiDict(filter_to_args(parsed, db_session)), db_session) == parsed
    assert claim_filter_from_args(MultiDict(), db_session).is_empty()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("status", "bogus", "status='bogus' is not one of"),
        ("stance", "maybe", "stance='maybe' is not one of"),
        ("speaker", "abc", "speaker='abc': no speaker is known by that name"),
        ("speaker", "0", "speaker='0' is out of range"),
        ("speaker", str(2**31), "speaker='2147483648' is out of range"),
        ("source", str(2**63), "source='9223372036854775808' is out of range"),
        ("assignee", "ghost", "assignee='ghost' is not a known editor"),
        ("source", "-2", "source='-2' is not a source id"),
        ("from", "15/03/2025", "from='15/03/2025' is not a date"),
        ("editor", "ghost", "editor='ghost' is not a known editor"),
        ("q", "x" * 201, "q is longer than 200"),
    ],
)
def test_malformed_values_name_the_parameter(
    db_session: Session, name: str, value: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        claim_filter_from_args(MultiDict([(name, value)]), db_session)
