"""The keyed audit chain: it verifies after real work, the database refuses edits, and every forgery
an attacker with write access to the database (but not the key) can make is found by verify.

Forgeries go through raw SQL, mostly after dropping the guarding triggers, inside the test's
transaction, so the triggers are back (rolled back) when the test ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, EvidenceStance, SpeakerKind, Stance
from factdb.errors import PermissionDeniedError
from factdb.models import AuditEvent, Claim, Editor, Evidence, Review, ReviewFollow
from factdb.services import claims as claim_service
from factdb.services import clusters
from factdb.services import speakers as speaker_service
from factdb.services.audit import (
    GENESIS_HASH,
    KEYRING_INFO,
    event_digest,
    record_event,
    record_key_rotation,
    signed_digest,
)
from factdb.services.audit_key import AuditKeyError, Keyring, load_keyring, new_secret
from factdb.services.verify import VerifyReport, fix_state, verify
from tests.handmade import ingest_sample

GUARDED = ("audit_events", "reviews", "evidence")


@pytest.fixture
def history(db_session: Session, editor: Editor, admin: Editor) -> list[AuditEvent]:
    """Real work by two editors (verdicts with evidence, attribution, a merge); the events in order."""
    result = ingest_sample(db_session, editor, title="Kursk", outlet="Wire")
    claims = list(
        db_session.scalars(select(Claim).where(Claim.source_id == result.source.id).order_by(Claim.id))
    )
    claim_service.change_status(
        db_session, editor, claims[0], ClaimStatus.DISPUTED, rationale="Не так",
        evidence=[claim_service.EvidenceInput("https://example.org/a", EvidenceStance.REFUTES, "A", "n")],
    )  # fmt: skip
    claim_service.change_status(db_session, admin, claims[1], ClaimStatus.CONFIRMED, rationale="ok")
    claim_service.add_evidence(
        db_session,
        editor,
        claims[1],
        claim_service.EvidenceInput("https://example.org/b", EvidenceStance.SUPPORTS),
    )
    claim_service.change_status_many(
        db_session, admin, [claims[2].id, claims[3].id], ClaimStatus.FALSE, rationale="bulk"
    )
    claim_service.edit_attribution(db_session, editor, claims[4], stance=Stance.DENIES)
    spare = speaker_service.create_speaker(db_session, admin, name="Spare", kind=SpeakerKind.PERSON)
    claim_service.edit_attribution(db_session, editor, claims[5], speaker=spare)
    speaker_service.merge_speakers(db_session, admin, source=spare, target=claims[0].speaker)  # type: ignore[arg-type]
    db_session.flush()
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _drop_guards(connection: Connection) -> None:
    """What an attacker with write access does first: drop every trigger guarding the record."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
                "AND c.relname IN ('audit_events', 'reviews', 'evidence', 'review_follows')"
            )
        ).all()
        for name, table in rows:
            connection.execute(text(f'DROP TRIGGER "{name}" ON "{table}"'))
    else:
        rows = connection.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('audit_events', 'reviews', 'evidence', 'review_follows')"
            )
        ).all()
        for (name,) in rows:
            connection.execute(text(f'DROP TRIGGER "{name}"'))


def _forge(connection: Connection, sql: str, **params: object) -> None:
    _drop_guards(connection)
    connection.execute(text(sql), params)


def _refused(connection: Connection, sql: str, **params: object) -> None:
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text(sql), params)
    savepoint.rollback()


def _wheres(report: VerifyReport) -> list[str]:
    return [p.where for p in report.problems]


def _first_id(session: Session, model: type[Review] | type[Evidence]) -> int:
    value = session.scalar(select(model.id).order_by(model.id).limit(1))
    assert value is not None
    return value


# --- the chain after real work ---------------------------------------------------------------


def test_chain_verifies_after_real_work(db_session: Session, history: list[AuditEvent]) -> None:
    assert len(history) >= 8
    assert history[0].prev_hash == GENESIS_HASH and [e.id for e in history] == list(
        range(1, len(history) + 1)
    )
    for before, after in zip(history, history[1:], strict=False):
        assert after.prev_hash == before.hash
    keyring = load_keyring()
    assert keyring is not None and {e.key_id for e in history} == {keyring.signing.id}
    report = verify(db_session)
    assert report.ok and report.complete, report.problems + report.state  # type: ignore[operator]
    assert report.events == len(history) and report.head_hash == history[-1].hash
    # Four verdicts and the amendment add_evidence makes (a review entry carrying the new link).
    assert report.reviews == 5 and report.evidence == 2 and report.claims_unchecked == 0
    assert [(k.key_id, k.events, k.first_id, k.last_id) for k in report.keys] == [
        (keyring.signing.id, len(history), 1, len(history))
    ]


def test_review_and_evidence_events_carry_their_full_content(
    db_session: Session, history: list[AuditEvent]
) -> None:
    review = db_session.scalars(select(Review).order_by(Review.id)).first()
    assert review is not None
    event = next(e for e in history if (e.after or {}).get("review_id") == review.id)
    assert event.after is not None
    assert event.after["review"] == claim_service.row_snapshot(review, claim_service.REVIEW_FIELDS)
    (evidence,) = review.evidence
    assert event.after["evidence"] == [claim_service.row_snapshot(evidence, claim_service.EVIDENCE_FIELDS)]
    assert event.after["evidence"][0]["url"] == "https://example.org/a"


def test_signature_covers_every_field() -> None:
    key = Keyring.from_secrets([new_secret()], "test").signing
    fields = {
        "id": 3, "prev_hash": GENESIS_HASH, "actor": "eddie", "editor_id": 1, "action": "claim.status",
        "entity_type": "claim", "entity_id": 7, "before": {"status": "unverified"},
        "after": {"status": "false"},
        "created_at": dt.datetime(2025, 3, 15, 9, 30, tzinfo=dt.UTC),
    }  # fmt: skip
    digest = signed_digest(key, **fields)  # type: ignore[arg-type]
    changed = {
        "id": 4, "prev_hash": "1" * 64, "actor": "ada", "editor_id": 2, "action": "claim.update",
        "entity_type": "speaker", "entity_id": 8, "before": {"status": "disputed"},
        "after": {"status": "true"},
        "created_at": dt.datetime(2025, 3, 15, 9, 30, 0, 1, tzinfo=dt.UTC),
    }  # fmt: skip
    for name, value in changed.items():
        assert signed_digest(key, **{**fields, name: value}) != digest, name  # type: ignore[arg-type]
    other = Keyring.from_secrets([new_secret()], "test").signing
    assert signed_digest(other, **fields) != digest  # type: ignore[arg-type]


def test_no_key_no_write(db_session: Session, editor: Editor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACTDB_AUDIT_KEY")
    monkeypatch.setenv("FACTDB_AUDIT_KEY_FILE", "/nonexistent/audit.key")
    with pytest.raises(AuditKeyError, match="no audit key"):
        record_event(db_session, editor, "editor.note", "editor", editor.id)


# --- the database refuses ---------------------------------------------------------------------


@pytest.mark.parametrize("table", GUARDED)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET created_at = created_at", "DELETE FROM {table}"])
def test_database_refuses_update_and_delete(
    connection: Connection, history: list[AuditEvent], table: str, statement: str
) -> None:
    _refused(connection, statement.format(table=table))


def test_database_refuses_changed_evidence(connection: Connection, history: list[AuditEvent]) -> None:
    _refused(connection, "UPDATE evidence SET url = 'https://forged.example/', stance = 'supports'")


@pytest.mark.parametrize("table", GUARDED)
def test_database_refuses_replace(
    connection: Connection, db_session: Session, history: list[AuditEvent], dialect_name: str, table: str
) -> None:
    columns = {
        "audit_events": "id, actor, action, entity_type, created_at, prev_hash, hash, format",
        "reviews": "id, claim_id, from_status, to_status, rationale, claim_version, created_at",
        "evidence": "id, claim_id, url, stance, created_at",
    }[table]
    if dialect_name == "sqlite":
        # REPLACE deletes the old row without firing delete triggers; BEFORE INSERT catches it.
        _refused(
            connection, f"INSERT OR REPLACE INTO {table} ({columns}) SELECT {columns} FROM {table} LIMIT 1"
        )  # noqa: S608
    else:
        # PostgreSQL's REPLACE is an upsert: its UPDATE is refused.
        _refused(
            connection,
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} LIMIT 1 "  # noqa: S608
            "ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at",
        )
    assert verify(db_session).ok


def test_database_refuses_inserts_that_do_not_continue_the_chain(
    connection: Connection, history: list[AuditEvent]
) -> None:
    head = history[-1]
    insert = (
        "INSERT INTO audit_events (id, actor, action, entity_type, created_at, prev_hash, hash, format) "
        "VALUES (:id, 'mallory', 'claim.status', 'claim', :at, :prev, :hash, 2)"
    )
    at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    for event_id, prev in (
        (-1, GENESIS_HASH),
        (0, GENESIS_HASH),
        (head.id + 2, head.hash),
        (head.id + 1, "a" * 64),
    ):
        _refused(connection, insert, id=event_id, at=at, prev=prev, hash="f" * 64)


# --- every forgery is found --------------------------------------------------------------------


def test_backdated_event_with_negative_id_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    _forge(
        connection,
        "INSERT INTO audit_events (id, actor, action, entity_type, entity_id, created_at, prev_hash, hash, "
        "format) VALUES (-1, 'mallory', 'claim.status', 'claim', 1, :at, :prev, :hash, 2)",
        at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), prev=GENESIS_HASH, hash="e" * 64,
    )  # fmt: skip
    report = verify(db_session)
    assert _wheres(report) == ["event #-1"] and "outside the chain" in report.problems[0].problem
    assert "mallory" in report.problems[0].hides and report.events == len(history) + 1


def test_changed_evidence_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    target = _first_id(db_session, Evidence)
    _forge(
        connection,
        "UPDATE evidence SET url = 'https://forged.example/', stance = 'supports' WHERE id = :id",
        id=target,
    )
    report = verify(db_session)
    assert _wheres(report) == [f"evidence #{target}"]
    assert "in stance, url" in report.problems[0].problem and "example.org/a" in report.problems[0].hides


def test_changed_review_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    target = _first_id(db_session, Review)
    _forge(connection, "UPDATE reviews SET rationale = 'forged', editor_id = NULL WHERE id = :id", id=target)
    report = verify(db_session)
    assert _wheres(report) == [f"review #{target}"]
    assert "editor_id, rationale" in report.problems[0].problem and "Не так" in report.problems[0].hides


def test_review_and_evidence_without_events_are_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    claim_id = db_session.scalar(select(Claim.id).limit(1))
    _forge(
        connection,
        "INSERT INTO reviews (id, claim_id, from_status, to_status, rationale, claim_version, created_at) "
        "VALUES (1000, :claim, 'unverified', 'false', 'planted', 1, :at)",
        claim=claim_id, at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    connection.execute(
        text(
            "INSERT INTO evidence (id, claim_id, url, stance, created_at) "
            "VALUES (-5, :claim, 'https://x.example/', 'supports', :at)"
        ),
        {"claim": claim_id, "at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
    )
    report = verify(db_session)
    assert set(_wheres(report)) == {"review #1000", "evidence #-5"}
    assert all("no valid audit event" in p.problem for p in report.problems)


def test_deleted_review_and_evidence_are_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    _forge(connection, "DELETE FROM evidence")
    connection.execute(text("DELETE FROM reviews WHERE id = :id"), {"id": _first_id(db_session, Review)})
    report = verify(db_session)
    assert len(report.problems) == 3 and all("missing from the table" in p.problem for p in report.problems)


@pytest.fixture
def followed(db_session: Session, editor: Editor, history: list[AuditEvent]) -> tuple[Review, list[Review]]:
    """Review once on top of the history: a cluster of three claims, one verdict applied to the other two."""
    claims = list(
        db_session.scalars(select(Claim).where(Claim.status == ClaimStatus.UNVERIFIED).order_by(Claim.id))
    )
    clusters.merge(db_session, editor, claims[0], claims[1])
    clusters.merge(db_session, editor, claims[0], claims[2])
    review = claim_service.change_status(
        db_session, editor, claims[0], ClaimStatus.FALSE, rationale="No such order."
    )
    applied = clusters.apply_cluster_verdict(
        db_session, editor, review, {c.id: c.version for c in claims[1:3]}
    )
    db_session.flush()
    return review, applied


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE review_follows SET followed_review_id = review_id",
        "UPDATE review_follows SET review_id = review_id",
        "DELETE FROM review_follows",
    ],
)
def test_database_refuses_changed_or_deleted_review_follows(
    connection: Connection, db_session: Session, followed: tuple[Review, list[Review]], statement: str
) -> None:
    _refused(connection, statement)
    assert db_session.scalar(select(func.count()).select_from(ReviewFollow)) == 2
    assert verify(db_session).ok


def test_database_refuses_replaced_or_truncated_review_follows(
    connection: Connection, db_session: Session, followed: tuple[Review, list[Review]], dialect_name: str
) -> None:
    review, (first, _) = followed
    if dialect_name == "sqlite":
        # REPLACE deletes the old row without firing delete triggers; BEFORE INSERT catches it.
        _refused(
            connection,
            "INSERT OR REPLACE INTO review_follows (review_id, followed_review_id) VALUES (:id, :other)",
            id=first.id,
            other=first.id,
        )
    else:
        _refused(connection, "TRUNCATE review_follows CASCADE")
        _refused(
            connection,
            "INSERT INTO review_follows (review_id, followed_review_id) VALUES (:id, :other) "
            "ON CONFLICT (review_id) DO UPDATE SET followed_review_id = excluded.followed_review_id",
            id=first.id,
            other=first.id,
        )
    assert (
        db_session.scalar(select(ReviewFollow.followed_review_id).where(ReviewFollow.review_id == first.id))
        == review.id
    )


def test_review_follows_verify_and_every_forgery_is_found(
    connection: Connection, db_session: Session, followed: tuple[Review, list[Review]]
) -> None:
    review, (first, second) = followed
    report = verify(db_session)
    assert report.ok and report.follows == 2
    # Point a follow at another review, delete one, plant one for a review that followed nothing
    # (the triggers refusing the first two dropped first, as an attacker with write access would).
    _forge(
        connection,
        "UPDATE review_follows SET followed_review_id = :other WHERE review_id = :id",
        other=_first_id(db_session, Review),
        id=first.id,
    )
    connection.execute(text("DELETE FROM review_follows WHERE review_id = :id"), {"id": second.id})
    connection.execute(
        text("INSERT INTO review_follows (review_id, followed_review_id) VALUES (:id, :followed)"),
        {"id": review.id, "followed": first.id},
    )
    db_session.expire_all()
    report = verify(db_session)
    problems = {p.where: p.problem for p in report.problems}
    assert set(problems) == {f"review_follows row of review #{r.id}" for r in (review, first, second)}
    assert "differs from its audit event" in problems[f"review_follows row of review #{first.id}"]
    assert "missing from the table" in problems[f"review_follows row of review #{second.id}"]
    assert "no valid audit event" in problems[f"review_follows row of review #{review.id}"]
    assert db_session.scalar(select(func.count()).select_from(ReviewFollow)) == report.follows == 2


def test_replaced_rows_are_found_when_the_guards_are_dropped(
    connection: Connection, db_session: Session, history: list[AuditEvent], dialect_name: str
) -> None:
    target = _first_id(db_session, Review)
    if dialect_name == "sqlite":
        _forge(
            connection,
            "INSERT OR REPLACE INTO reviews (id, claim_id, editor_id, from_status, to_status, rationale, "
            "claim_version, created_at) SELECT id, claim_id, editor_id, from_status, 'confirmed', rationale, "
            "claim_version, created_at FROM reviews WHERE id = :id",
            id=target,
        )
    else:
        _forge(connection, "UPDATE reviews SET to_status = 'confirmed' WHERE id = :id", id=target)
    report = verify(db_session)
    assert _wheres(report)[0] == f"review #{target}" and "to_status" in report.problems[0].problem
    if dialect_name == "sqlite":  # the REPLACE's hidden delete cascaded to the review's evidence
        assert _wheres(report)[1:] == ["evidence #1"] and "deleted" in report.problems[1].problem


def test_changed_event_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    target = history[2]
    _forge(connection, "UPDATE audit_events SET actor = 'mallory' WHERE id = :id", id=target.id)
    report = verify(db_session)
    assert (
        _wheres(report) == [f"event #{target.id}"]
        and "does not match its signature" in report.problems[0].problem
    )
    assert "mallory" in report.problems[0].hides


def test_deleted_event_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    _forge(connection, "DELETE FROM audit_events WHERE id IN (:a, :b)", a=history[1].id, b=history[2].id)
    report = verify(db_session)
    assert report.broken_at == history[3].id and "#2..#3 are missing" in (report.problem or "")


def test_forged_event_without_the_key_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    # Linked to the head with the right id, but the HMAC needs a key the forger does not have.
    head = history[-1]
    forged = hashlib.sha256(b"anything the forger can compute").hexdigest()
    connection.execute(
        text(
            "INSERT INTO audit_events (id, actor, action, entity_type, entity_id, created_at, prev_hash, "
            "hash, format, key_id) "
            "VALUES (:id, 'mallory', 'claim.status', 'claim', 1, :at, :prev, :hash, 2, :kid)"
        ),
        {
            "id": head.id + 1,
            "at": dt.datetime.now(dt.UTC),
            "prev": head.hash,
            "hash": forged,
            "kid": head.key_id,
        },
    )
    report = verify(db_session)
    assert report.broken_at == head.id + 1 and "does not match its signature" in (report.problem or "")


def test_reordered_events_are_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    first, second = history[1], history[2]
    _drop_guards(connection)
    connection.execute(text("UPDATE audit_events SET id = -100 WHERE id = :id"), {"id": first.id})
    connection.execute(text("UPDATE audit_events SET id = :a WHERE id = :b"), {"a": first.id, "b": second.id})
    connection.execute(text("UPDATE audit_events SET id = :b WHERE id = -100"), {"b": second.id})
    report = verify(db_session)
    assert {first.id, second.id} <= {p.event_id for p in report.problems}


def test_junk_row_then_real_edit_reports_both(
    connection: Connection, db_session: Session, history: list[AuditEvent], editor: Editor
) -> None:
    head = history[-1]
    _forge(
        connection,
        "INSERT INTO audit_events (id, actor, action, entity_type, created_at, prev_hash, hash, format) "
        "VALUES (:id, 'junk', 'junk', 'junk', :at, 'junk', :hash, 1)",
        id=head.id + 1, at=dt.datetime.now(dt.UTC), hash="j" * 64,
    )  # fmt: skip
    # The application goes on writing after the junk row; its events stay verifiable.
    claim = db_session.scalars(select(Claim).where(Claim.status == ClaimStatus.UNVERIFIED)).first()
    assert claim is not None
    claim_service.change_status(db_session, editor, claim, ClaimStatus.DISPUTED, rationale="after the junk")
    later = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert later is not None and later.id == head.id + 2
    assert _wheres(verify(db_session)) == [f"event #{head.id + 1}"] * 2  # its link and its hash
    # An edit made after the break is still seen.
    connection.execute(text("UPDATE audit_events SET entity_id = 1 WHERE id = :id"), {"id": later.id})
    report = verify(db_session)
    assert f"event #{head.id + 1}" in _wheres(report) and f"event #{later.id}" in _wheres(report)


def test_consistent_rewrite_without_the_key_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    """Rebuild every hash, as a forger can: with a key of their own, or as an unkeyed SHA-256 chain."""
    _drop_guards(connection)
    connection.execute(text("UPDATE reviews SET rationale = 'rewritten'"))
    for fake_format in (2, 1):
        fake_key = Keyring.from_secrets([new_secret()], "forger").signing
        prev = GENESIS_HASH
        for event in history:
            fields = {
                "prev_hash": prev, "actor": event.actor, "action": event.action,
                "entity_type": event.entity_type, "entity_id": event.entity_id, "before": event.before,
                "after": event.after, "created_at": event.created_at,
            }  # fmt: skip
            if fake_format == 2:
                digest = signed_digest(fake_key, id=event.id, editor_id=event.editor_id, **fields)  # type: ignore[arg-type]
            else:
                digest = event_digest(**fields)  # type: ignore[arg-type]
            connection.execute(
                text(
                    "UPDATE audit_events SET prev_hash = :p, hash = :h, format = :f, key_id = :k "
                    "WHERE id = :id"
                ),
                {"p": prev, "h": digest, "f": fake_format,
                 "k": fake_key.id if fake_format == 2 else None, "id": event.id},
            )  # fmt: skip
            prev = digest
        report = verify(db_session)
        assert not report.ok
        if fake_format == 2:
            assert all(
                "not in the keyring" in p.problem for p in report.problems if p.where.startswith("event")
            )
            assert len([p for p in report.problems if p.where.startswith("event")]) == len(history)
        else:
            assert any("not anchored by a signed audit.format event" in p.problem for p in report.problems)


def test_status_change_after_a_merge_of_the_claims_speaker_verifies(
    db_session: Session, history: list[AuditEvent], editor: Editor
) -> None:
    # The history gave a claim the speaker "Spare" and then merged "Spare" away; a later status change
    # states only the status, so the replay must still follow that earlier merge for the speaker.
    merge = next(e for e in history if e.action == "speaker.merge")
    moved = next(
        e
        for e in history
        if e.action == "claim.attribution" and (e.after or {}).get("speaker_id") == merge.before["id"]
    )
    claim = db_session.get(Claim, moved.entity_id)
    assert claim is not None and claim.speaker_id == merge.after["into"]
    claim_service.change_status(db_session, editor, claim, ClaimStatus.FALSE, rationale="after the merge")
    report = verify(db_session)
    assert report.ok and not report.state, (report.problems, report.state)


def test_key_rotation_verifies_across_the_boundary(
    db_session: Session, history: list[AuditEvent], admin: Editor, editor: Editor
) -> None:
    old = load_keyring()
    assert old is not None
    new = Keyring.from_secrets([k.secret.decode() for k in old.keys] + [new_secret()], "test")
    rotation = record_key_rotation(db_session, admin, old, new)
    db_session.info[KEYRING_INFO] = new
    try:
        claim = db_session.scalars(
            select(Claim).where(Claim.status == ClaimStatus.UNVERIFIED).order_by(Claim.id)
        ).first()
        assert claim is not None
        claim_service.change_status(db_session, editor, claim, ClaimStatus.FALSE, rationale="after rotation")
        report = verify(db_session, new)
        assert report.ok and report.complete, report.problems
        assert [(k.key_id, k.first_id, k.last_id) for k in report.keys] == [
            (old.signing.id, 1, rotation.id - 1),
            (new.signing.id, rotation.id, report.head_id),
        ]
        # Without the old key the old events cannot be vouched for; with only the old key, the new ones.
        only_new = Keyring(new.keys[-1:], "test")
        assert {p.event_id for p in verify(db_session, only_new).problems} >= set(range(1, rotation.id))
        assert not verify(db_session, old).ok
    finally:
        db_session.info.pop(KEYRING_INFO)


def test_key_change_without_rotation_is_found(
    db_session: Session, history: list[AuditEvent], editor: Editor
) -> None:
    old = load_keyring()
    assert old is not None
    both = Keyring.from_secrets([k.secret.decode() for k in old.keys] + [new_secret()], "test")
    db_session.info[KEYRING_INFO] = both
    try:
        claim = db_session.scalars(select(Claim).where(Claim.status == ClaimStatus.UNVERIFIED)).first()
        assert claim is not None
        claim_service.change_status(db_session, editor, claim, ClaimStatus.FALSE, rationale="quiet key swap")
        report = verify(db_session, both)
        assert "without a recorded rotation" in report.problems[0].problem
        # The event is not trusted, so neither is the review it carries nor the status it set.
        assert [p.where for p in report.problems[1:]] == [f"review #{claim.reviews[-1].id}"]
        assert [(m.claim_id, m.field) for m in report.state] == [(claim.id, "status")]
    finally:
        db_session.info.pop(KEYRING_INFO)


def test_rotation_needs_an_admin(db_session: Session, editor: Editor) -> None:
    old = load_keyring()
    assert old is not None
    new = Keyring.from_secrets([k.secret.decode() for k in old.keys] + [new_secret()], "test")
    with pytest.raises(PermissionDeniedError):
        record_key_rotation(db_session, editor, old, new)


def test_verify_without_the_key_checks_the_rest(
    connection: Connection, db_session: Session, history: list[AuditEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FACTDB_AUDIT_KEY")
    monkeypatch.setenv("FACTDB_AUDIT_KEY_FILE", "/nonexistent/audit.key")
    report = verify(db_session)
    assert report.ok and not report.complete and report.unchecked_signatures == len(history)
    _forge(connection, "UPDATE audit_events SET actor = 'mallory' WHERE id = 2")
    assert verify(db_session).ok, "without the key a changed field is not seen (the README says so)"
    connection.execute(text("DELETE FROM audit_events WHERE id = 3"))
    assert verify(db_session).broken_at == 4, "links and ids are checked without the key"


# --- state matches history -----------------------------------------------------------------------


def test_direct_status_update_is_found_and_restored(
    connection: Connection, db_session: Session, history: list[AuditEvent], admin: Editor
) -> None:
    reviewed = db_session.scalar(select(Review.claim_id).where(Review.to_status == ClaimStatus.DISPUTED))
    speaker_id = db_session.scalar(select(Claim.speaker_id).where(Claim.id == reviewed))
    other = db_session.scalar(
        select(Claim.id).where(Claim.id != reviewed, Claim.speaker_id.is_not(None)).limit(1)
    )
    connection.execute(text("UPDATE claims SET status = 'confirmed' WHERE id = :id"), {"id": reviewed})
    connection.execute(
        text("UPDATE claims SET speaker_id = NULL, content_start = content_start + 1 WHERE id = :id"),
        {"id": other},
    )
    db_session.expire_all()
    report = verify(db_session)
    assert not report.problems
    found = {(m.claim_id, m.field, m.stored, m.expected) for m in report.state}
    assert (reviewed, "status", "confirmed", "disputed") in found
    assert {(m.claim_id, m.field) for m in report.state} == {
        (reviewed, "status"), (other, "speaker_id"), (other, "content_start"), (other, "content"),
    }  # fmt: skip
    json.dumps(report.to_dict(), default=str)
    assert fix_state(db_session, admin, report) == sorted({reviewed, other})
    db_session.expire_all()
    after = verify(db_session)
    assert after.ok, after.problems + after.state  # type: ignore[operator]
    claim = db_session.get(Claim, reviewed)
    assert claim is not None and claim.status is ClaimStatus.DISPUTED and claim.speaker_id == speaker_id
    restore = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert restore is not None and restore.action == "claim.restore" and restore.actor == admin.username


def test_fix_state_needs_an_admin(db_session: Session, history: list[AuditEvent], editor: Editor) -> None:
    with pytest.raises(PermissionDeniedError):
        fix_state(db_session, editor, verify(db_session))
