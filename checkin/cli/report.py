"""`checkin report`: attendance files and a one-page summary for the organiser
(checkin.summary). At the hub, or at a desk: a desk that is not fully synced still gets
its report, and both the PDF and this command say so."""

from datetime import date
from pathlib import Path

import click

from checkin.cli.context import CliContext, pass_cli


@click.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for attendance.csv, attendance.xlsx and summary-DAY.pdf "
                   "(made if missing).")
@click.option("--day", help="The day of the summary (YYYY-MM-DD; default: today, or the "
                            "event's last day before today).")
@pass_cli
def report(cli: CliContext, out: str, day: str | None) -> None:
    """Attendance as CSV and XLSX (every attendee, every day) and a one-page PDF summary of
    one day: arrivals, by role, by country, conflicts and no-shows."""
    from checkin.report_files import write_report

    if day is not None:
        try:
            day = date.fromisoformat(day).isoformat()
        except ValueError:
            raise click.BadParameter(f"{day!r} is not a date as YYYY-MM-DD",
                                     param_hint="--day") from None
    result = write_report(cli.store(), Path(out), day)
    s = result.summary
    r = s.report
    csv, xlsx, pdf = result.files
    click.echo(f"wrote {csv} and {xlsx} ({result.attendees} attendees) and {pdf}")
    share = f" ({100 * r.checked_in / r.expected:.0f} %)" if r.expected else ""
    click.echo(f"{s.day}: {r.checked_in} of {r.expected} expected checked in{share}, "
               f"{len(s.no_shows)} no-show{'s' if len(s.no_shows) != 1 else ''}, "
               f"{len(s.conflicts)} conflict{'s' if len(s.conflicts) != 1 else ''}")
    if s.sync.warning:
        click.echo(f"warning: {s.sync.warning}")
    from checkin.exporting import personal_data_note

    click.echo(f"note: {csv.name} and {xlsx.name} each {personal_data_note(result.attendees)}"
               " (logged: `checkin audit`)")
