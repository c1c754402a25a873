"""Search grams of speaker name keys, so finding the speakers a new name may be is an index lookup.

- ``speaker_alias_grams``: both ends of each identifying word of each alias's name key (see
  ``factdb.services.speaker_names.name_grams``), filled here for every alias. Before it, the
  candidates for a merge suggestion were found by a substring scan of every alias.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 11:58:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "speaker_alias_grams",
        sa.Column("gram", sa.String(length=40), nullable=False),
        sa.Column("alias_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alias_id"],
            ["speaker_aliases.id"],
            name=op.f("fk_speaker_alias_grams_alias_id_speaker_aliases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gram", "alias_id", name=op.f("pk_speaker_alias_grams")),
    )
    op.create_index(
        op.f("ix_speaker_alias_grams_alias_id"), "speaker_alias_grams", ["alias_id"], unique=False
    )
    _fill_grams()


def _fill_grams() -> None:
    # The grams as this release computes them; `factdb speakers suggestions compute` refreshes them
    # when a later release folds names differently.
    from factdb.services.speaker_names import GRAM_MAX, name_grams

    aliases = sa.table("speaker_aliases", sa.column("id", sa.Integer), sa.column("name_key", sa.String))
    grams = sa.table("speaker_alias_grams", sa.column("gram", sa.String), sa.column("alias_id", sa.Integer))
    connection = op.get_bind()
    rows = connection.execute(sa.select(aliases.c.id, aliases.c.name_key)).all()
    for start in range(0, len(rows), _BATCH):
        found = [
            {"gram": gram, "alias_id": row.id}
            for row in rows[start : start + _BATCH]
            for gram in sorted({g[:GRAM_MAX] for g in name_grams(row.name_key or "")})
        ]
        if found:
            connection.execute(sa.insert(grams), found)


def downgrade() -> None:
    # Derived rows only (recomputed from the aliases on upgrade): nothing of record is lost.
    op.drop_index(op.f("ix_speaker_alias_grams_alias_id"), table_name="speaker_alias_grams")
    op.drop_table("speaker_alias_grams")
