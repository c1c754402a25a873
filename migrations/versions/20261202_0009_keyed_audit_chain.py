"""Keyed audit chain: events signed with an HMAC under the audit key; evidence append-only; the
database refuses REPLACE of reviews, evidence and events, and inserts that do not continue the chain.

Existing events are never re-signed: they keep their plain SHA-256 hashes (``format`` 1). If the
database holds any history, one signed ``audit.format`` event is appended after it. It names the
legacy head (so rewriting the old events breaks its link) and carries a digest of every existing
review and evidence row (so changing one of them is found). Signing it needs the audit key
(``FACTDB_AUDIT_KEY`` or the key file ``factdb db upgrade`` creates).

The event format and the row digests are frozen here, as in revision 0002; they match
``factdb.services.audit.signed_digest`` and ``factdb.services.verify.legacy_rows_digest``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:00:00

"""

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose recorded meaning a downgrade past this revision destroys (keyed events lose their key ids).
DESTROYS_ON_DOWNGRADE = ("audit_events",)

GENESIS_HASH = "0" * 64
REFUSED_INSERT = "an insert must continue the chain (id = last id + 1, prev_hash = last hash)"
REVIEW_COLUMNS = (
    "id", "claim_id", "editor_id", "from_status", "to_status", "rationale", "claim_version", "created_at",
)  # fmt: skip
EVIDENCE_COLUMNS = (
    "id", "claim_id", "review_id", "url", "title", "note", "stance", "added_by_id", "created_at",
)  # fmt: skip


def _time(value: Any) -> str:
    if isinstance(value, str):  # SQLite hands back text from a raw query
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC).isoformat(timespec="microseconds"))


def _rows_digest(bind: sa.Connection, table: str, columns: Sequence[str]) -> dict[str, Any]:
    """SHA-256 over every row's canonical JSON in id order, with the row count and the last id."""
    digest = hashlib.sha256()
    count, max_id = 0, 0
    for row in bind.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")):  # noqa: S608
        values = dict(row._mapping)
        values["created_at"] = _time(values["created_at"])
        digest.update(json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
        digest.update(b"\n")
        count, max_id = count + 1, row.id
    return {"count": count, "max_id": max_id, "sha256": digest.hexdigest()}


def _append_format_event() -> None:
    bind = op.get_bind()
    head = bind.execute(
        sa.text("SELECT id, hash FROM audit_events WHERE id > 0 ORDER BY id DESC LIMIT 1")
    ).first()
    counts = [bind.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in ("reviews", "evidence")]  # noqa: S608
    if head is None and not any(counts):
        return  # no history yet: nothing to carry over
    from factdb.services.audit_key import AuditKeyError, require_keyring  # where the key is, not the format

    signed_before = bind.execute(
        sa.text("SELECT min(id) FROM audit_events WHERE action IN ('audit.format', 'audit.key_rotate')")
    ).scalar()
    if signed_before is not None:
        # This history was keyed once and has been migrated down since: signing it again would
        # launder whatever was changed while it was unsigned.
        raise AuditKeyError(
            f"audit event #{signed_before} shows this history was signed before; factdb never re-signs "
            "history: restore the backup taken when it was migrated down instead"
        )
    key = require_keyring().signing
    fields: dict[str, Any] = {
        "id": 1 if head is None else head.id + 1,
        "prev_hash": GENESIS_HASH if head is None else head.hash,
        "actor": "system",
        "editor_id": None,
        "action": "audit.format",
        "entity_type": "audit",
        "entity_id": None,
        "before": {"format": 1},
        "after": {
            "format": 2,
            "key_id": key.id,
            "legacy_head_id": None if head is None else head.id,
            "legacy_head_hash": None if head is None else head.hash,
            "reviews": _rows_digest(bind, "reviews", REVIEW_COLUMNS),
            "evidence": _rows_digest(bind, "evidence", EVIDENCE_COLUMNS),
        },
        "created_at": dt.datetime.now(dt.UTC),
    }
    payload = {**fields, "format": 2, "key_id": key.id, "created_at": _time(fields["created_at"])}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    signature = hmac.new(key.secret, canonical.encode("utf-8"), hashlib.sha256).hexdigest()
    events = sa.table(
        "audit_events",
        sa.column("id"), sa.column("prev_hash"), sa.column("actor"), sa.column("editor_id"),
        sa.column("action"), sa.column("entity_type"), sa.column("entity_id"),
        sa.column("before", sa.JSON), sa.column("after", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)), sa.column("hash"), sa.column("format"),
        sa.column("key_id"),
    )  # fmt: skip
    created_at = fields["created_at"]
    if bind.dialect.name == "sqlite":  # stored naive in UTC, as factdb's UTCDateTime does
        created_at = created_at.replace(tzinfo=None)
    bind.execute(
        events.insert().values(
            **{**fields, "created_at": created_at, "hash": signature, "format": 2, "key_id": key.id}
        )
    )


SQLITE_TRIGGERS = {
    "evidence_no_update": "BEFORE UPDATE ON evidence BEGIN "
    "SELECT RAISE(ABORT, 'evidence is append-only: UPDATE refused'); END",
    "evidence_no_delete": "BEFORE DELETE ON evidence BEGIN "
    "SELECT RAISE(ABORT, 'evidence is append-only: DELETE refused'); END",
    # REPLACE deletes the old row without firing delete triggers: refuse an insert of an existing id.
    "reviews_no_replace": "BEFORE INSERT ON reviews WHEN EXISTS (SELECT 1 FROM reviews WHERE id = new.id) "
    "BEGIN SELECT RAISE(ABORT, 'reviews is append-only: REPLACE of an existing id refused'); END",
    "evidence_no_replace": "BEFORE INSERT ON evidence WHEN EXISTS (SELECT 1 FROM evidence WHERE id = new.id) "
    "BEGIN SELECT RAISE(ABORT, 'evidence is append-only: REPLACE of an existing id refused'); END",
    "audit_events_continue_chain": f"""BEFORE INSERT ON audit_events
        WHEN new.id IS NOT (SELECT coalesce(max(id), 0) + 1 FROM audit_events WHERE id > 0)
          OR new.prev_hash IS NOT coalesce(
                (SELECT hash FROM audit_events WHERE id > 0 ORDER BY id DESC LIMIT 1), '{GENESIS_HASH}')
          OR EXISTS (SELECT 1 FROM audit_events WHERE hash = new.hash)
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: {REFUSED_INSERT}'); END""",
}

PG_CHAIN_FUNCTION = f"""
CREATE FUNCTION factdb_audit_continues() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_id integer := 0;
    last_hash text := '{GENESIS_HASH}';
BEGIN
    SELECT id, hash INTO last_id, last_hash FROM audit_events WHERE id > 0 ORDER BY id DESC LIMIT 1;
    IF NOT FOUND THEN
        last_id := 0;
        last_hash := '{GENESIS_HASH}';
    END IF;
    IF NEW.id IS DISTINCT FROM last_id + 1 OR NEW.prev_hash IS DISTINCT FROM last_hash THEN
        RAISE EXCEPTION 'audit_events is append-only: {REFUSED_INSERT}; event % refused', NEW.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON evidence "
            "FOR EACH ROW EXECUTE FUNCTION factdb_append_only()"
        )
        op.execute(
            "CREATE TRIGGER evidence_no_truncate BEFORE TRUNCATE ON evidence "
            "FOR EACH STATEMENT EXECUTE FUNCTION factdb_append_only()"
        )
        op.execute(PG_CHAIN_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_continue_chain BEFORE INSERT ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION factdb_audit_continues()"
        )
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS evidence_append_only ON evidence")
        op.execute("DROP TRIGGER IF EXISTS evidence_no_truncate ON evidence")
        op.execute("DROP TRIGGER IF EXISTS audit_events_continue_chain ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS factdb_audit_continues()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (no table rebuild, so revision 0002's triggers stay).
    op.add_column("audit_events", sa.Column("format", sa.SmallInteger(), server_default="1", nullable=False))
    op.add_column("audit_events", sa.Column("key_id", sa.String(length=16), nullable=True))
    _append_format_event()
    _create_triggers()


def _mark_unkeyed() -> None:
    """Append an unsigned ``audit.format`` event saying the chain stops being keyed here.

    Upgrading again finds it and refuses to sign this history a second time.
    """
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT count(*) FROM audit_events WHERE format = 2")).scalar():
        return
    head = bind.execute(
        sa.text("SELECT id, hash FROM audit_events WHERE id > 0 ORDER BY id DESC LIMIT 1")
    ).one()
    now = dt.datetime.now(dt.UTC)
    fields: dict[str, Any] = {
        "prev_hash": head.hash, "actor": "system", "action": "audit.format", "entity_type": "audit",
        "entity_id": None, "before": {"format": 2}, "after": {"format": 1, "downgraded": True},
    }  # fmt: skip
    payload = {**fields, "created_at": _time(now)}  # revision 0002's plain SHA-256 form
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    events = sa.table(
        "audit_events",
        sa.column("id"), sa.column("prev_hash"), sa.column("actor"), sa.column("action"),
        sa.column("entity_type"), sa.column("entity_id"), sa.column("before", sa.JSON),
        sa.column("after", sa.JSON), sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("hash"), sa.column("format"),
    )  # fmt: skip
    bind.execute(
        events.insert().values(
            **fields,
            id=head.id + 1,
            created_at=now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now,
            hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            format=1,
        )
    )


def downgrade() -> None:
    _drop_triggers()
    _mark_unkeyed()
    # SQLite 3.35+ drops a plain column in place, keeping the table's triggers.
    op.execute("ALTER TABLE audit_events DROP COLUMN key_id")
    op.execute("ALTER TABLE audit_events DROP COLUMN format")
