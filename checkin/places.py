"""Where an event database is: an SQLite file (a Path) or a PostgreSQL database (a
``postgresql://`` URL, checkin.pg), and a Store opened on either.

Contract:

- ``Place = Path | str``: a str that is not a PostgreSQL URL is a file name.
- ``open_store(place, *, station="", operator="", create=False, check=db.NONE,
  pool_size=1) -> Store``: checkin.db.open_db for a file, checkin.pg.open_database for a
  URL (``create`` and ``check`` are SQLite's: a PostgreSQL database is made by its
  administrator and migrated on open; ``pool_size`` is PostgreSQL's, see
  ``PgDatabase.share``).
- ``files_path(place) -> Path``: the database file, or for PostgreSQL the name beside
  which its files live (checkin.pg.files_path, the folder made on first use, mode 0700).
- ``shown(place) -> str``: for messages and the log (a URL without its password).
- ``is_postgres(place) -> bool``.
"""

from pathlib import Path

from checkin import db
from checkin.store import Store

Place = Path | str


def is_postgres(place: Place) -> bool:
    from checkin.pg import is_url

    return is_url(place)


def files_path(place: Place) -> Path:
    if not is_postgres(place):
        return Path(place)
    from checkin.pg import files_path as beside

    found = beside(str(place))
    found.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return found


def shown(place: Place) -> str:
    if not is_postgres(place):
        return str(place)
    from checkin.pg import shown as without_password

    return without_password(str(place))


def open_store(place: Place, *, station: str = "", operator: str = "", create: bool = False,
               check: str = db.NONE, pool_size: int = 1) -> Store:
    if is_postgres(place):
        from checkin.pg import open_database

        return Store(open_database(str(place), pool_size=pool_size), station=station,
                     operator=operator)
    return Store(db.open_db(Path(place), create=create, check=check), station=station,
                 operator=operator)
