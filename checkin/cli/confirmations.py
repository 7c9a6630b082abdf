"""`checkin confirmations`: signed QR confirmations for a mail merge, and printable PDFs.

A thin layer over checkin.confirmations.issue (what is written, and why, is there):
--ids picks attendees (cli.context.select_attendees), cancelled ones are skipped, and
one summary line is printed.
"""

from pathlib import Path

import click

from checkin import confirmations as core
from checkin.cli.context import CliContext, pass_cli, select_attendees


@click.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the PNGs, PDFs and confirmations.csv.")
@click.option("--ids", help="Only these attendee ids (comma-separated).")
@click.option("--no-pdf", is_flag=True, help="Only PNGs and the CSV.")
@pass_cli
def confirmations(cli: CliContext, out_dir: str, ids: str | None, no_pdf: bool) -> None:
    """Issue signed QR confirmations: one PNG and PDF per attendee, plus confirmations.csv."""
    store = cli.store()
    chosen = select_attendees(store.all_attendees(), ids)
    issued = core.issue(store, cli.db_path, chosen, Path(out_dir), pdf=not no_pdf)
    skipped = len(issued.skipped_cancelled)
    note = f", {skipped} cancelled skipped" if skipped else ""
    count = f"{len(issued.tokens)} confirmation" + ("" if len(issued.tokens) == 1 else "s")
    click.echo(f"{count} in {issued.folder}{note}")
