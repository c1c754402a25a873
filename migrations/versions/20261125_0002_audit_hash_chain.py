"""Tamper-evident audit trail: hash chain columns on audit_events, and append-only triggers on
audit_events and reviews.

Existing events are chained in id order. The digest is frozen here (not imported from factdb) so
this migration keeps producing the same hashes whatever later code does; it matches
``factdb.services.audit.event_digest``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:40:00

"""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
APPEND_ONLY = ("audit_events", "reviews")
#: Tables whose recorded data a downgrade past this revision destroys (the events' hashes).
DESTROYS_ON_DOWNGRADE = ("audit_events",)


def _digest(row: Any, prev_hash: str) -> str:
    created_at = row.created_at
    if isinstance(created_at, str):  # SQLite hands back text from a raw query
        created_at = dt.datetime.fromisoformat(created_at)
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=dt.UTC)

    def _json(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    payload = {
        "prev_hash": prev_hash,
        "actor": row.actor,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "before": _json(row.before),
        "after": _json(row.after),
        "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _chain_existing_events() -> None:
    bind = op.get_bind()
    events = sa.table(
        "audit_events",
        sa.column("id"), sa.column("actor"), sa.column("action"), sa.column("entity_type"),
        sa.column("entity_id"), sa.column("before", sa.JSON), sa.column("after", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)), sa.column("prev_hash"), sa.column("hash"),
    )  # fmt: skip
    prev_hash = GENESIS_HASH
    rows = bind.execute(sa.select(events).order_by(events.c.id)).all()
    for row in rows:
        digest = _digest(row, prev_hash)
        bind.execute(events.update().where(events.c.id == row.id).values(prev_hash=prev_hash, hash=digest))
        prev_hash = digest


def _create_triggers() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION factdb_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION factdb_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION factdb_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
                )


def _drop_triggers() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS factdb_append_only()")
    else:
        for table in APPEND_ONLY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_events()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_hash"), ["hash"])
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_hash"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
