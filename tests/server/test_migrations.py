"""The Alembic migrations create exactly the schema the models describe."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.orm import Session

from finclip_desktop.server.db import alembic_config, make_engine, migrate
from finclip_desktop.server.models import App, Base, Device


def test_migrations_match_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    migrate(engine)  # idempotent: every start runs it
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_update_channel_columns_fill_existing_rows(tmp_path):
    """0002 adds the channel columns with defaults, so a server upgraded from 0001 keeps its
    devices (on channel "stable") and apps (no gray channels)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
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
                "'h', 0, 0, '[]', '[]', 0, 0, '2026-01-01')"
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
