"""The server's shared state: settings, database, blob store, metadata signer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from finclip_desktop.server.blobs import BlobStore, make_blob_store
from finclip_desktop.server.config import Settings
from finclip_desktop.server.db import make_engine, migrate, session_factory
from finclip_desktop.server.distribution import Distribution
from finclip_desktop.server.models import User
from finclip_desktop.server.registry import create_user


class Server:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(settings.db_url)
        self.sessions = session_factory(self.engine)
        self.blobs: BlobStore = make_blob_store(settings)
        self.dist = Distribution(settings)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def bootstrap(self, root_keys: int = 1, threshold: int = 1) -> str | None:
        """Migrate the schema, create metadata keys and root, and on first start an
        ``admin`` user; return that admin's API token (the only time it is shown)."""
        migrate(self.engine)
        with self.session() as session:
            self.dist.ensure_root(session, root_keys, threshold)
            self.dist.renew_root_if_due(session)
            if session.scalar(select(User.id).limit(1)) is None:
                _user, token = create_user(session, None, "admin", "admin")
                return token
        return None

    def close(self) -> None:
        self.blobs.close()
        self.engine.dispose()
