"""`checkin scan` and `checkin undo`: the check-in engine from the command line.

`scan` writes one line per input as soon as its verdict is decided (and, for `ok`, after
the admission is committed to disk). Its exit status is 0 whatever the verdicts are: a
refused code is an answer, not a failure. It is non-zero only for usage errors, a
missing database, (with --image) an image file that cannot be read, or an admission
whose write failed (a full disk, a lock held past the retries): that input's line says
`not_recorded` (JSON: "recorded": false) and the other inputs are still scanned.
"""

import json
import sys
from collections.abc import Iterator

import click

from checkin import clock, db
from checkin.admission import MALFORMED, Engine, NotRecorded, Verdict, echo_input
from checkin.cli.context import CliContext, pass_cli
from checkin.errors import CheckinError

NOT_RECORDED = "not_recorded"  # the line of an input whose admission could not be written
_ESCAPES: dict[int, str] = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}


def _station_defaults(station: str | None, operator: str | None) -> tuple[str, str]:
    """Options first, then the station config (the app's settings), then the Store's
    station and this computer's login name (checkin.operators)."""
    from checkin.operators import identity

    return identity(station, operator)


def _day_option(value: str | None) -> str | None:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD",
                                 param_hint="--day") from None


def _engine(cli: CliContext, station: str | None, operator: str | None) -> Engine:
    station, operator = _station_defaults(station, operator)
    # FAST: a full quick_check costs 0.2 s per 100,000 attendees on every call; scan
    # checks the whole file only up to 32 MB (checkin.db.FAST_CHECK_BYTES).
    store = cli.store(station=station, operator=operator, check=db.FAST)
    skew = clock.check_clock(store)  # logged there too
    if skew is not None:
        click.echo(f"warning: {skew.message}", err=True)
    return Engine(store)


def _inputs(args: tuple[str, ...]) -> Iterator[str]:
    """The arguments; `-` (or none at all) reads one input per line from stdin as it comes."""
    if not args:
        args = ("-",)
    if hasattr(sys.stdin, "reconfigure"):
        # Bytes that are not UTF-8 (a scanner set to Latin-1) arrive as surrogates, which
        # the engine answers `malformed` ("binary data"), not a crash of the batch.
        sys.stdin.reconfigure(errors="surrogateescape")
    for arg in args:
        if arg == "-":
            for line in sys.stdin:
                yield line.rstrip("\r\n")
        else:
            yield arg


def _line(verdict: Verdict, as_json: bool, file: str | None = None) -> str:
    if as_json:
        data = verdict.to_json()
        if file is not None:
            data["file"] = file
        return json.dumps(data, ensure_ascii=False)
    who = verdict.attendee.id if verdict.attendee else "-"
    text = f"{verdict.verdict:<20} {who:<12} {verdict.message}"
    if verdict.repeat:
        text += " (double read, one admission)"
    if verdict.repaired:
        text += f" (read with repair: {verdict.repaired})"
    if file is not None:
        text = f"{file}: {text}"
    return text.translate(_ESCAPES)


@click.command()
@click.option("--station", help="This desk's name (default: station config, else host name).")
@click.option("--operator", help="Who is at the desk (default: station config).")
@click.option("--day", help="Event day as YYYY-MM-DD (default: today).")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON object per input and line: {"input", "verdict", "attendee_id", '
                   '"message", ...}; already_checked_in adds "checked_in_at", "station", '
                   '"operator".')
@click.option("--image", is_flag=True, help="Each INPUT is an image file: decode it, scan each "
                                            "code found.")
@click.argument("inputs", nargs=-1)
@pass_cli
@click.pass_context
def scan(ctx: click.Context, cli: CliContext, station: str | None, operator: str | None,
         day: str | None, as_json: bool, image: bool, inputs: tuple[str, ...]) -> None:
    """Scan INPUT... (codes, tokens, URLs; `-` or nothing: one per line from stdin).

    Prints one verdict per input as soon as it is decided: ok, already_checked_in,
    cancelled, not_registered_today, unknown, invalid_signature or malformed; an
    admission that could not be written says not_recorded, and the others go on. The
    exit status is 0 even when verdicts are negative; non-zero only for usage errors, a
    missing database, unreadable images or a not_recorded input.
    """
    day = _day_option(day)
    engine = _engine(cli, station, operator)
    failed = 0
    if image:
        from checkin.decode import Decoder  # numpy and zxing-cpp: only for --image

        decoder = Decoder()
        if not decoder.available:  # else every image would read as "no code"
            raise CheckinError("no QR decoder in this installation: install zxing-cpp "
                               "(or pyzbar with the libzbar0 system library)")
        decode_file = decoder.decode_file
    for item in _inputs(inputs):
        if not image:
            line, recorded = _scan_line(engine, item, day, as_json)
            failed += not recorded
            click.echo(line)
            continue
        try:
            texts = decode_file(item)
        except CheckinError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        if not texts:
            nothing = Verdict(item, MALFORMED, None, "No code found in the image.",
                              day=day or engine.today())
            click.echo(_line(nothing, as_json, file=item))
        for text in texts:
            line, recorded = _scan_line(engine, text, day, as_json, file=item)
            failed += not recorded
            click.echo(line)
    if failed:
        ctx.exit(1)


def _scan_line(engine: Engine, text: str, day: str | None, as_json: bool,
               file: str | None = None) -> tuple[str, bool]:
    """(the verdict line for text, whether it needed no write or its write succeeded).

    An admission that could not be written (a full disk, a lock held too long) gets a
    `not_recorded` line, and the batch goes on: every input still gets its own answer."""
    try:
        return _line(engine.scan(text, day=day), as_json, file), True
    except NotRecorded as exc:
        message = f"Not recorded: {exc}. Scan again when the fault is fixed."
        if as_json:
            data: dict[str, object] = {
                "input": echo_input(text), "verdict": NOT_RECORDED, "recorded": False,
                "attendee_id": exc.attendee.id, "message": message,
                "name": exc.attendee.display_name, "day": day or engine.today()}
            if file is not None:
                data["file"] = file
            return json.dumps(data, ensure_ascii=False), False
        line = f"{NOT_RECORDED:<20} {exc.attendee.id:<12} {message}"
        return (f"{file}: {line}" if file is not None else line).translate(_ESCAPES), False


@click.command()
@click.argument("attendee_id")
@click.option("--reason", default="", help="Why (kept in the log).")
@click.option("--day", help="Event day as YYYY-MM-DD (default: today).")
@click.option("--station", help="This desk's name (default: station config, else host name).")
@click.option("--operator", help="Who is at the desk (default: station config).")
@pass_cli
def undo(cli: CliContext, attendee_id: str, reason: str, day: str | None,
         station: str | None, operator: str | None) -> None:
    """Annul ATTENDEE_ID's check-in of the day (an undo event in the log; any time)."""
    engine = _engine(cli, station, operator)
    event = engine.undo(attendee_id, day=_day_option(day), reason=reason.strip())
    attendee = engine.store.attendee(attendee_id)
    name = attendee.display_name if attendee else attendee_id
    click.echo(f"undone: check-in of {name} ({attendee_id}) on {event.day}".translate(_ESCAPES))
