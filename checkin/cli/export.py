"""`checkin export ...`: data out of the event database for the organiser."""

import click

from checkin.cli.context import CliContext, pass_cli


@click.group()
def export() -> None:
    """Export data from the event database (attendance for the organiser)."""


@export.command()
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="File to write (.csv, .xlsx or .json).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]),
              help="File format (default: from the extension of --out).")
@pass_cli
def attendance(cli: CliContext, out: str, fmt: str | None) -> None:
    """One row per attendee with the check-in time (and desk) per event day.

    Cells that a spreadsheet would run as a formula are neutralised; CSV is UTF-8 with a
    byte-order mark so that Excel shows every name right.
    """
    from pathlib import Path

    from checkin.exporting import export_attendance, format_for, personal_data_note

    path = Path(out)
    chosen = format_for(path, fmt)
    count = export_attendance(cli.store(), path, chosen)
    click.echo(f"wrote {count} attendees to {path} ({chosen})")
    click.echo(f"note: this file {personal_data_note(count)} (logged: `checkin audit`)")
