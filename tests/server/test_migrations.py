"""The Alembic migrations create exactly the schema the models describe, on SQLite and on
PostgreSQL (``FINCLIP_TEST_PG_URL``; each test gets a database of its own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from finclip_desktop.server.db import alembic_config, make_engine, migrate
from finclip_desktop.server.models import App, Base, Device
from tests.server.conftest import BACKENDS, PG_URL


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL database (dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite'}"
        return
    name = f"finclip_mig_{uuid.uuid4().hex[:10]}"
    server = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_migrations_match_models(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # idempotent: every start runs it
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_update_channel_columns_fill_existing_rows(database_url):
    """0002 adds the channel columns with defaults, so a server upgraded from 0001 keeps its
    devices (on channel "stable") and apps (no gray channels)."""
    engine = make_engine(database_url)
    cfg = alembic_config(str(engine.url))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO orgs VALUES ('acme', 'Acme', 'h', '2026-01-01')"))
        conn.execute(
            text(
                "INSERT INTO apps (id, name, org_id, description, category, domains, scopes, "
                "secret_hash, taken_down, gray_percent, gray_devices, gray_orgs, mandatory, "
                "gray_mandatory, created_at) VALUES ('com.a', 'A', 'acme', '', '', '{}', '[]', "
                "'h', false, 0, '[]', '[]', false, false, '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO devices (id, secret_hash, name, platform, created_at, last_seen_at)"
                " VALUES ('d1', 'h', 'pc', 'linux', '2026-01-01', '2026-01-01')"
            )
        )
    migrate(engine)
    with Session(engine) as session:
        assert session.get(App, "com.a").gray_channels == []
        device = session.get(Device, "d1")
        assert (device.channel, device.channel_changes) == ("stable", 0)
    engine.dispose()
