"""Speaker name keys and the queue of suggested speaker merges (issue 17, item 0).

- ``speaker_aliases.name_key``: the folded form under which variants of one name meet at ingest
  ("Russia's Defence Ministry" = "Russian Ministry of Defense"), filled here for every alias.
- ``speaker_merge_suggestions``: pairs of speakers factdb thinks may be one, waiting for an editor;
  rejected pairs stay so that they are never proposed again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 11:10:55

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose rows a downgrade past this revision destroys (factdb.migrate refuses unless told):
#: the editors' "not the same" judgements live only there.
DESTROYS_ON_DOWNGRADE = ("speaker_merge_suggestions",)

_BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "speaker_merge_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "rejected", name="suggestion_status", native_enum=False, create_constraint=True
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("speaker_id < other_id", name=op.f("ck_speaker_merge_suggestions_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["editors.id"],
            name=op.f("fk_speaker_merge_suggestions_decided_by_id_editors"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["speakers.id"],
            name=op.f("fk_speaker_merge_suggestions_other_id_speakers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speakers.id"],
            name=op.f("fk_speaker_merge_suggestions_speaker_id_speakers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_merge_suggestions")),
        sa.UniqueConstraint(
            "speaker_id", "other_id", name=op.f("uq_speaker_merge_suggestions_speaker_id_other_id")
        ),
    )
    op.create_index(
        op.f("ix_speaker_merge_suggestions_other_id"), "speaker_merge_suggestions", ["other_id"], unique=False
    )
    op.create_index(
        op.f("ix_speaker_merge_suggestions_status"), "speaker_merge_suggestions", ["status"], unique=False
    )
    with op.batch_alter_table("speaker_aliases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=300), server_default="", nullable=False))
        batch_op.create_index(batch_op.f("ix_speaker_aliases_name_key"), ["name_key"], unique=False)
    _fill_name_keys()


def _fill_name_keys() -> None:
    # The key as this release computes it; `factdb speakers suggestions compute` refreshes every key
    # when a later release folds names differently.
    from factdb.services.speaker_names import name_key

    aliases = sa.table("speaker_aliases", sa.column("id", sa.Integer), sa.column("alias", sa.String),
                       sa.column("name_key", sa.String))  # fmt: skip
    connection = op.get_bind()
    rows = connection.execute(sa.select(aliases.c.id, aliases.c.alias)).all()
    update = (
        sa.update(aliases)
        .where(aliases.c.id == sa.bindparam("alias_id"))
        .values(name_key=sa.bindparam("key"))
    )
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        connection.execute(update, [{"alias_id": r.id, "key": name_key(r.alias)[:300]} for r in batch])


def downgrade() -> None:
    with op.batch_alter_table("speaker_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speaker_aliases_name_key"))
        batch_op.drop_column("name_key")
    op.drop_index(op.f("ix_speaker_merge_suggestions_status"), table_name="speaker_merge_suggestions")
    op.drop_index(op.f("ix_speaker_merge_suggestions_other_id"), table_name="speaker_merge_suggestions")
    op.drop_table("speaker_merge_suggestions")
