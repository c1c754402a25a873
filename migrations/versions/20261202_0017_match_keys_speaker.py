"""Claim matching finds a claim's candidates of its own speaker by index: ``claim_match_keys.speaker_id``.

Matching compares a claim only with earlier claims of the same speaker or an unresolved one, and
counts its candidates after that veto (issue 17: counted before it, other speakers' claims sharing
a key took the places of real candidates). Reading every claim that shares a key to look at its
speaker made each lookup read hundreds of claims; with the speaker beside the key, index
(key, speaker_id, claim_id) gives the few newest claims of one speaker directly.

``speaker_id`` is a copy of ``claims.speaker_id``, filled here for the keys already stored and
kept equal by a trigger on every change of a claim's speaker (an attribution edited, speakers
merged, a speaker deleted).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 19:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_claim_match_keys_key_speaker_claim"
TRIGGER = "claims_match_keys_speaker"
_COPY = "UPDATE claim_match_keys SET speaker_id = new.speaker_id WHERE claim_id = new.id"


def upgrade() -> None:
    op.add_column("claim_match_keys", sa.Column("speaker_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE claim_match_keys SET speaker_id = "
        "(SELECT speaker_id FROM claims WHERE claims.id = claim_match_keys.claim_id)"
    )
    op.create_index(INDEX, "claim_match_keys", ["key", "speaker_id", "claim_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION factdb_{TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_COPY}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF speaker_id ON claims FOR EACH ROW "
            f"WHEN (old.speaker_id IS DISTINCT FROM new.speaker_id) EXECUTE FUNCTION factdb_{TRIGGER}()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF speaker_id ON claims "
            f"WHEN old.speaker_id IS NOT new.speaker_id BEGIN {_COPY}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON claims")
        op.execute(f"DROP FUNCTION IF EXISTS factdb_{TRIGGER}()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
    op.drop_index(INDEX, table_name="claim_match_keys")
    with op.batch_alter_table("claim_match_keys") as batch_op:
        batch_op.drop_column("speaker_id")
