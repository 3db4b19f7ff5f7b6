"""Practice names: a TR39 skeleton per dentist and the recorded name changes.

Adds `dentists.name_skeleton` (indexed; a hash index on PostgreSQL, as a skeleton may
be longer than a B-tree row allows), backfilled from each stored name, and
`name_decisions`: one row per name change, with who decided (an operator's wallet or
the CLI's admin account), through which channel, when, the old and new name and why.

Revision ID: 0012_name_decisions
Revises: 0011_replies
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from dentareview.domain.practice_names import skeleton

revision: str = "0012_name_decisions"
down_revision: str | Sequence[str] | None = "0011_replies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_dentists = sa.table(
    "dentists",
    sa.column("address", sa.String(42)),
    sa.column("name", sa.String(200)),
    sa.column("name_skeleton", sa.Text()),
)


def upgrade() -> None:
    op.add_column("dentists", sa.Column("name_skeleton", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_dentists.c.address, _dentists.c.name)).all()
    for address, name in rows:
        bind.execute(
            _dentists.update()
            .where(_dentists.c.address == address)
            .values(name_skeleton=skeleton(name))
        )
    op.create_index(
        "ix_dentists_name_skeleton", "dentists", ["name_skeleton"], postgresql_using="hash"
    )
    op.create_table(
        "name_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("old_name", sa.String(200), nullable=False),
        sa.Column("new_name", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(42), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("decided_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('operator', 'cli')", name=op.f("ck_name_decisions_channel_known")
        ),
        sa.ForeignKeyConstraint(
            ["dentist"], ["dentists.address"], name=op.f("fk_name_decisions_dentist_dentists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_name_decisions")),
    )
    op.create_index("ix_name_decisions_dentist", "name_decisions", ["dentist"])
    op.create_index("ix_name_decisions_decided_at_id", "name_decisions", ["decided_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_name_decisions_decided_at_id", table_name="name_decisions")
    op.drop_index("ix_name_decisions_dentist", table_name="name_decisions")
    op.drop_table("name_decisions")
    op.drop_index("ix_dentists_name_skeleton", table_name="dentists")
    op.drop_column("dentists", "name_skeleton")
