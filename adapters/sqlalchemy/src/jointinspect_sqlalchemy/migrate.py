"""Bring a database to the current schema: :func:`upgrade` and ``jointinspect-sql upgrade URL``.

The Alembic environment and revisions ship inside the package
(``jointinspect_sqlalchemy/migrations``); no ``alembic.ini`` is needed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine
from sqlalchemy.engine import make_url

from jointinspect_sqlalchemy.dialects import configure_sqlite, family
from jointinspect_sqlalchemy.errors import translated

#: Alembic's version table for this schema (kept apart from the host application's).
VERSION_TABLE = "ji_alembic_version"


def _config() -> Config:
    config = Config()
    location = resources.files("jointinspect_sqlalchemy") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def _engine(url_or_engine: str | URL | Engine) -> tuple[Engine, bool]:
    if isinstance(url_or_engine, Engine):
        return url_or_engine, False
    with translated():
        engine = create_engine(make_url(url_or_engine))
        if family(engine) == "sqlite":
            configure_sqlite(engine, 30_000)
    return engine, True


def upgrade(url_or_engine: str | URL | Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (an empty database gets the whole schema;
    an up-to-date one is left alone). Disposes only an engine it created.

    Raises:
        OperationalError: the database cannot be reached.
    """
    _migrate(url_or_engine, command.upgrade, revision)


def downgrade(url_or_engine: str | URL | Engine, revision: str) -> None:
    """Undo the migrations after ``revision`` (each revision's downgrade keeps what it can
    of the data; see its docstring). Disposes only an engine it created.

    Raises:
        OperationalError: the database cannot be reached.
    """
    _migrate(url_or_engine, command.downgrade, revision)


def _migrate(url_or_engine: str | URL | Engine, step: Callable[[Config, str], None], revision: str) -> None:
    """Run Alembic's ``step`` to ``revision`` in one transaction on the database."""
    engine, owned = _engine(url_or_engine)
    config = _config()
    try:
        with translated(), engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
    finally:
        if owned:
            engine.dispose()


def current_revision(url_or_engine: str | URL | Engine) -> str | None:
    """The revision the database is at (``None`` when it has no schema yet)."""
    engine, owned = _engine(url_or_engine)
    try:
        with translated(), engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            return context.get_current_revision()
    finally:
        if owned:
            engine.dispose()


def head_revision() -> str:
    """The newest revision shipped with this package."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point ``jointinspect-sql``."""
    parser = argparse.ArgumentParser(
        prog="jointinspect-sql", description="Manage the schema of a jointinspect SQL store."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upgrade", help="bring the database to the current schema")
    up.add_argument("url", help="SQLAlchemy URL, e.g. sqlite:///inspections.db")
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    cur = sub.add_parser("current", help="print the database's schema revision")
    cur.add_argument("url")
    args = parser.parse_args(argv)
    if args.command == "upgrade":
        upgrade(args.url, args.revision)
        print(f"upgraded to {current_revision(args.url)}")
    else:
        print(current_revision(args.url) or "(empty)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
