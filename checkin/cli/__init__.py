"""The `checkin` command line: a thin click layer over the core.

Subcommands live in their own modules and are imported only when used, so that
`checkin scan` does not pay for reportlab or openpyxl.
"""

import contextlib
import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from checkin import __version__, logsetup
from checkin.cli.context import CliContext
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError, Interrupted

log = logging.getLogger(__name__)

# command name -> "module:function" under checkin.cli
COMMANDS = {
    "init": "setup:init",
    "demo": "setup:demo",
    "import": "importing:import_",
    "attendees": "attendees:attendees",
    "export": "export:export",
    "keys": "keys:keys",
    "confirmations": "confirmations:confirmations",
    "decode": "decode:decode",
    "doctor": "doctor:doctor",
    "scan": "scan:scan",
    "undo": "scan:undo",
    "layouts": "badges:layouts",
    "badges": "badges:badges",
    "print": "printing:print_",
    "hub": "hub:hub",
    "sync": "sync:sync",
    "conflicts": "sync:conflicts",
    "pretix": "pretix:pretix",
    "report": "report:report",
    "duplicates": "merging:duplicates",
    "merge": "merging:merge",
    "audit": "privacy:audit",
    "purge": "privacy:purge",
    "encrypt": "encryption:encrypt",
    "decrypt": "encryption:decrypt",
}


DB_HELP = "Event database (default: $CHECKIN_DB, else the per-user data directory)."


def _db_after_command(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        found = ctx.find_object(CliContext)
        if found is not None:
            found.db_option = value


def with_db_option(command: click.Command) -> click.Command:
    """Every subcommand (and a group's subcommands) takes --db as well, so that
    `checkin demo --db FILE` works like `checkin --db FILE demo` (given twice, the later
    one counts)."""
    if not any(param.name == "db_after" for param in command.params):
        command.params.append(click.Option(
            ["--db", "db_after"], type=click.Path(dir_okay=False), expose_value=False,
            callback=_db_after_command, help=DB_HELP))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            with_db_option(sub)
    return command


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"checkin.cli.{module_name}")
        command: click.Command = getattr(module, attr)
        _check_text_options(command)
        return with_db_option(command)


def _check_text_options(command: click.Command) -> None:
    """Make command (and its subcommands) refuse a text option that is not valid UTF-8
    (bytes from a Latin-1 terminal reach Python as surrogates, and SQLite, the log and a
    badge cannot store them): one usage line instead of a failure deep inside. Paths are
    left alone: the operating system takes any bytes there."""
    if getattr(command, "_utf8_checked", False):
        return
    command._utf8_checked = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _check_text_options(sub)
    callback = command.callback
    if callback is None:
        return

    def checked(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        for param in ctx.command.params:
            if not isinstance(param, click.Option) or isinstance(param.type, click.Path):
                continue
            value = ctx.params.get(param.name or "")
            for text in value if isinstance(value, tuple) else (value,):
                if isinstance(text, str) and not _is_utf8(text):
                    shown = text.encode("utf-8", "backslashreplace").decode("ascii",
                                                                            "replace")
                    raise click.BadParameter(f"{shown!r} is not valid UTF-8 text",
                                             ctx=ctx, param=param)
        return callback(*args, **kwargs)

    command.callback = checked


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"checkin {__version__}\nlog: {logsetup.log_path()}")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    help=DB_HELP + " Also accepted after the command.",
)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version, help="Show the version and the log file, then exit.")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None) -> None:
    """Check-in station: event database, import, scan, badges and printing."""
    from checkin.cli.encryption import install_prompt

    install_prompt()  # an encrypted database's passphrase is asked for in a terminal
    ctx.obj = CliContext(db_option=db_path)


_SECRET_OPTIONS = ("--token", "--pair")  # their values hold a desk's hub token


def _redacted(args: list[str]) -> list[str]:
    """The command line for the log, without the values of options that hold a token."""
    out: list[str] = []
    for arg in args:
        if out and out[-1] in _SECRET_OPTIONS:
            out.append("***")
        elif arg.startswith(tuple(f"{o}=" for o in _SECRET_OPTIONS)):
            out.append(arg.split("=", 1)[0] + "=***")
        else:
            out.append(arg)
    return out


def _database_message(exc: sqlite3.DatabaseError) -> str | None:
    """One line for a database failure a user can act on; None for a fault of ours."""
    from checkin import db
    from checkin.cli.context import OPENED

    described = db.describe_error(exc)
    if described == str(exc):
        return None
    path = OPENED[0] if OPENED else Path("the event database")
    if described == db.DAMAGED:
        return str(db.damaged(path, str(exc)))
    return f"{path}: {described}"


def _args(argv: list[str] | None) -> str:
    """The command line for the log, a token's value left out."""
    return " ".join(_redacted(argv if argv is not None else sys.argv[1:]))


def _exit_now(code: int) -> None:
    """Exit after Ctrl+C without freeing every object one by one: after a large import that
    takes the interpreter most of a second, and Ctrl+C must stop a command within one.
    The databases are closed already (the command's context closed them) and the log
    is flushed here; nothing else is left to write."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: user errors are one line on stderr and a non-zero exit, never a traceback
    (that goes to the log file)."""
    log_file = logsetup.configure()
    for stream in (sys.stdout, sys.stderr):
        # A file name in bytes that are not UTF-8 is printed with escapes, not a crash.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return cli.main(args=argv, prog_name="checkin", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except Interrupted as exc:
        log.warning("checkin %s: %s", _args(argv), exc)
        click.echo(f"error: {exc}", err=True)
        _exit_now(130)
    except CheckinError as exc:
        log.warning("checkin %s refused: %s", _args(argv), exc)  # what a supporter asks
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        _exit_now(130)
    except Exception as exc:  # a bug: one line for the user, the traceback in the log
        # ... unless it is damage, a full disk, ... that the database found while working,
        # or text that is not UTF-8 (an argument) that it could not store
        known = _database_message(exc) if isinstance(exc, sqlite3.DatabaseError) else None
        if isinstance(exc, UnicodeEncodeError) and "surrogates" in str(exc):
            known = "an argument is not valid UTF-8 text; nothing was changed"
        if known is not None:
            log.warning("checkin %s stopped: %s", _args(argv), exc)
            click.echo(f"error: {known}", err=True)
            sys.exit(1)
        log.exception("checkin %s failed",
                      _args(argv))
        if os.environ.get("CHECKIN_DEBUG"):
            raise
        message = str(exc).splitlines()[0] if str(exc) else ""
        click.echo(f"error: {type(exc).__name__}: {message} (this is a fault of checkin; "
                   f"the details are in {log_file})", err=True)
        sys.exit(2)
