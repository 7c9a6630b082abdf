"""Who works at a desk, for commands run at a terminal (docs/privacy.md, "Operators").

The station app knows its operator from its settings (asked at the first start, changed
when someone unlocks the station under another name: ui/lock.py). A command logs its
events under ``identity(station, operator)``: the options, else the station settings
(the same file the app writes), else, for the operator, this computer's login name, so
that no admission, undo, reprint or export is ever logged without someone's name.
"""

import getpass

from checkin.config import StationConfig


def login_name() -> str:
    """This computer's user name ("" when the system cannot tell)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no such user in the password database, no environment
        return ""


def identity(station: str | None = None, operator: str | None = None) -> tuple[str, str]:
    """(station, operator) for a command: options, then the settings, then the login."""
    config = StationConfig.load()
    chosen = operator if operator else (config.operator or login_name())
    return station or config.station or "", chosen
