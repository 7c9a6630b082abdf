"""Where the event database and the station config live."""

import os
from pathlib import Path

import platformdirs

APP = "checkin-station"
ENV_DB = "CHECKIN_DB"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def default_db() -> Path:
    return data_dir() / "event.sqlite"


def resolve_db(option: str | os.PathLike[str] | None) -> Path:
    """`--db PATH`, else $CHECKIN_DB, else the per-user data directory (CLI and app alike)."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return default_db()


def key_path(db_path: Path) -> Path:
    """The event's private signing key lives beside the database, never inside it."""
    return db_path.with_name(db_path.name + ".key")
