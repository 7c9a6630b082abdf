"""`checkin duplicates` (registrations that look like one person) and `checkin merge`
(join two of them at the hub). checkin.merging has the rules."""

import json

import click

from checkin.cli.context import CliContext, pass_cli


@click.command()
@click.option("--json", "as_json", is_flag=True,
              help='A JSON list of {"match": [...], "attendees": [{"id", "name", '
                   '"organisation", "email", "country", "role", "source", "station", '
                   '"created", "admitted"}, ...]}.')
@pass_cli
def duplicates(cli: CliContext, as_json: bool) -> None:
    """Walk-ins that look like another registration (same e-mail, or same name and
    organisation): candidates for `checkin merge`."""
    from checkin.merging import duplicates as find

    found = find(cli.store())
    if as_json:
        click.echo(json.dumps([g.to_json() for g in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no likely duplicates")
        return
    for group in found:
        click.echo(f"same {' and same '.join(group.match)}:")
        for r in group.registrations:
            a = r.attendee
            days = ", ".join(r.admitted) or "not admitted"
            where = f"{r.source or 'registered'} at {r.station}" if r.station else r.source
            click.echo(f"  {a.id:<16} {a.display_name} | {a.organisation or '-'} | "
                       f"{a.email or '-'} | {where} {r.created[:16]} | {days}")
        ids = [r.attendee.id for r in group.registrations]
        click.echo(f"  to merge: checkin merge {ids[0]} {ids[1]}")
    click.echo(f"{len(found)} group{'s' if len(found) != 1 else ''} of likely duplicates")


@click.command()
@click.argument("keep")
@click.argument("gone")
@click.option("--reason", default="", help="Why, kept in the log with the merge.")
@pass_cli
def merge(cli: CliContext, keep: str, gone: str, reason: str) -> None:
    """Merge registration GONE into KEEP (at the hub): GONE's check-ins and badges count
    as KEEP's, GONE is cancelled, and every event stays in the log."""
    from checkin.merging import merge as join

    result = join(cli.store(), keep, gone, reason=reason)
    moved = []
    if result.checkins:
        moved.append(f"{result.checkins} check-in{'s' if result.checkins != 1 else ''}")
    if result.badges:
        moved.append(f"{result.badges} badge{'s' if result.badges != 1 else ''} printed")
    line = f"merged {gone} into {keep}"
    if moved:
        line += f": {' and '.join(moved)} of {gone} now count as {keep}'s"
    if result.filled:
        line += f"; {keep} took {', '.join(result.filled)} from {gone}"
    click.echo(line + f"; {gone} is cancelled (desks get the merge at their next sync)")
