"""update channels: gray releases to channels, the channel of each device

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "apps", sa.Column("gray_channels", sa.JSON(), server_default="[]", nullable=False)
    )
    op.add_column(
        "devices",
        sa.Column("channel", sa.String(length=32), server_default="stable", nullable=False),
    )
    op.add_column(
        "devices", sa.Column("channel_changes", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("channel_changes")
        batch_op.drop_column("channel")
    with op.batch_alter_table("apps", schema=None) as batch_op:
        batch_op.drop_column("gray_channels")
