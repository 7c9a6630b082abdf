"""`checkin import FILE`: bring the registration export into the event database."""

import json

import click

from checkin.cli.context import CliContext, pass_cli


def _parse_maps(values: tuple[str, ...]) -> dict[str, str]:
    from checkin.importing.columns import MAP_TARGETS

    mapping: dict[str, str] = {}
    for value in values:
        column, sep, target = value.rpartition("=")
        column, target = column.strip(), target.strip().lower()
        if not sep or not column:
            raise click.BadParameter(f"{value!r}: write COLUMN=FIELD", param_hint="--map")
        if target not in MAP_TARGETS:
            raise click.BadParameter(
                f"{value!r}: unknown field {target!r} (one of {', '.join(MAP_TARGETS)})",
                param_hint="--map")
        mapping[column] = target
    return mapping


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
              help="Read COLUMN as FIELD (id, given_name, family_name, name, title, "
                   "organisation, country, email, role, status, code, days, notes, "
                   "badge_name, name_order, order, position, salutation, extra, ignore). "
                   "Repeatable.")
@click.option("--full", is_flag=True,
              help="The file is the complete list: cancel people missing from it.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_cli
def import_(cli: CliContext, file: str, dry_run: bool, maps: tuple[str, ...], full: bool,
            as_json: bool) -> None:
    """Import attendees from a CSV, XLSX or JSON export (pretix, Eventbrite, Indico, a
    spreadsheet) as a sync: new people are added, changed ones updated, each change logged.

    The whole file is one transaction: a file that cannot be imported is refused with
    one line naming the line and the reason, and the database stays unchanged.
    """
    from pathlib import Path

    from checkin.importing import import_file

    mapping = _parse_maps(maps)
    store = cli.store()
    summary = import_file(store, Path(file), mapping=mapping, full=full, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
        return
    click.echo(summary.line())
    for note in summary.notes:
        click.echo(f"note: {note}")
