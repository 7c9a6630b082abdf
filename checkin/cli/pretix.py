"""`checkin pretix connect|pull|push|status`: the event's pretix check-in list (docs/pretix.md)."""

import json
import sys

import click

from checkin.cli.context import CliContext, pass_cli


@click.group("pretix")
def pretix() -> None:
    """Pull attendees and check-ins from a pretix check-in list, push admissions back."""


@pretix.command()
@click.option("--url", required=True, help="pretix's address, e.g. https://pretix.eu")
@click.option("--organizer", required=True, help="The organizer's short form (slug).")
@click.option("--event", required=True, help="The event's short form (slug).")
@click.option("--list", "list_id", required=True, type=int, help="The check-in list's id.")
@click.option("--token", required=True, envvar="CHECKIN_PRETIX_TOKEN",
              help="A team API token ($CHECKIN_PRETIX_TOKEN; kept in a 0600 file beside "
                   "the database, never in it).")
@pass_cli
def connect(cli: CliContext, url: str, organizer: str, event: str, list_id: int,
            token: str) -> None:
    """Check the connection with pretix at once, then store it."""
    from checkin.pretix import connection

    # Asked before the database is opened or created: a failed connect stores nothing.
    checked = connection.check(url, organizer, event, list_id, token)
    store = cli.store(create=True)
    stored = connection.connect(store, cli.db_path, url, organizer, event, list_id, token,
                                checked=checked)
    click.echo(f"connected to {stored.describe()}")
    click.echo(f"API token in {connection.token_path(cli.db_path)} (readable by you only)")


@pretix.command()
@click.option("--full", is_flag=True, help="Read every order, not only those changed since "
              "the last pull (also cancels positions pretix no longer lists).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_cli
def pull(cli: CliContext, full: bool, as_json: bool) -> None:
    """Import the check-in list's positions and pretix's check-ins (one transaction)."""
    from checkin.pretix import pull as run

    result = run(cli.store(), cli.db_path, full=full or None)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    click.echo(result.line())
    for note in result.notes:
        click.echo(f"note: {note}")


@pretix.command()
@click.option("--retry-refused", is_flag=True,
              help="Send the admissions pretix refused once more.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_cli
def push(cli: CliContext, retry_refused: bool, as_json: bool) -> None:
    """Upload the admissions and undos pretix does not have yet.

    Exits 1 when pretix refused some (each shown with pretix's reason) or could not be
    reached (they wait for the next push)."""
    from checkin.pretix import push as run

    result = run(cli.store(), cli.db_path, retry_refused=retry_refused)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        click.echo(result.line())
        for refusal in result.refusals:
            click.echo(f"refused: {refusal.line()}")
        for skipped in result.skipped:
            click.echo(f"not pushed: {skipped.line()}")
    if result.unavailable or result.refusals:
        sys.exit(1)


@pretix.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@pass_cli
def status(cli: CliContext, as_json: bool) -> None:
    """What is connected, the last pull and push, what waits, pretix's refusals."""
    from checkin.pretix import status as read

    state = read(cli.store(), cli.db_path)
    if as_json:
        click.echo(json.dumps(state.to_dict(), ensure_ascii=False, default=str))
        return
    for line in state.lines():
        click.echo(line)
