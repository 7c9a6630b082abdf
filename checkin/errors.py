"""Exceptions whose message is fit to show a user on one line."""


class CheckinError(Exception):
    """A failure the user can act on; str(exc) is a one-line message."""


class ImportRefused(CheckinError):
    """An import file was refused; the database is unchanged."""


class NoEvent(CheckinError):
    """The database holds no event (run `checkin init` or `checkin demo`)."""


class Interrupted(CheckinError):
    """Ctrl+C stopped a command; str(exc) says what, if anything, was written."""
