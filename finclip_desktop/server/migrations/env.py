"""Alembic environment: the connection comes from finclip_desktop.server.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from finclip_desktop.server.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    connection = engine.connect()
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
