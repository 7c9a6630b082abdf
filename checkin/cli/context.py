"""What every subcommand gets: the resolved database path and a way to open it."""

import os
from dataclasses import dataclass
from pathlib import Path

import click

from checkin import db, paths, places
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.store import Store

# The database the running command opened, for messages about it (checkin.cli.main).
OPENED: list[Path] = []


@dataclass
class CliContext:
    db_option: str | None = None

    @property
    def db_url(self) -> str | None:
        """A PostgreSQL database's URL (`--db postgresql://...` or $CHECKIN_DB), else None."""
        given = self.db_option or os.environ.get(paths.ENV_DB)
        return given if given and places.is_postgres(given) else None

    @property
    def db_path(self) -> Path:
        """The database file; for PostgreSQL the name its files (key, PNGs) go beside."""
        url = self.db_url
        return places.files_path(url) if url else paths.resolve_db(self.db_option)

    def sqlite_file(self, command: str, why: str) -> Path:
        """db_path for a command that works on an SQLite file only; a PostgreSQL URL is
        refused in one line saying why."""
        url = self.db_url
        if url:
            raise CheckinError(f"`checkin {command}` works on an SQLite event database, "
                               f"not on {places.shown(url)}: {why}")
        return self.db_path

    @property
    def place(self) -> places.Place:
        return self.db_url or self.db_path

    def store(self, *, station: str = "", operator: str = "", create: bool = False,
              check: str = db.FULL) -> Store:
        """The event database, opened for this command: checked for damage first (FULL:
        quick_check; `checkin scan` asks for db.FAST), closed when the command ends.
        Without an operator: the station settings' one, else the login name."""
        OPENED[:] = [self.db_path]
        if not operator:  # every event a command logs names someone (checkin.operators)
            from checkin.operators import identity

            operator = identity()[1]
        store = places.open_store(self.place, create=create, check=check, station=station,
                                  operator=operator)
        # Closed when the command ends: a connection left to the garbage collector would
        # count as another program holding the database (checkin.db.replace_database).
        ctx = click.get_current_context(silent=True)
        if ctx is not None:
            ctx.call_on_close(store.close)
        return store


pass_cli = click.make_pass_decorator(CliContext)


def select_attendees(attendees: list[Attendee], ids: str | None) -> list[Attendee]:
    """The attendees named in a comma-separated --ids value, in that order, once each;
    all of them when ids is empty. An unknown id is an error naming it."""
    if not ids:
        return attendees
    wanted = [i.strip() for i in ids.split(",") if i.strip()]
    by_id = {a.id: a for a in attendees}
    missing = [i for i in wanted if i not in by_id]
    if missing:
        raise CheckinError(f"no attendee with id {', '.join(missing[:5])}"
                           + (" ..." if len(missing) > 5 else ""))
    return [by_id[i] for i in dict.fromkeys(wanted)]
