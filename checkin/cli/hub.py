"""`checkin hub ...`: serve this event database to the desks, and manage the desks.

`hub serve` imports the web stack (FastAPI, uvicorn) only when it runs; the other
subcommands are plain database work. docs/sync.md has the protocol.
"""

import json
import socket

import click

from checkin.cli.context import CliContext, pass_cli


@click.group()
def hub() -> None:
    """The hub: serve this event database to the desks (`checkin sync` on each desk)."""


@hub.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every network of this machine).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="TCP port (0: any free port, printed at start).")
@pass_cli
def serve(cli: CliContext, host: str, port: int) -> None:
    """Serve the event database to the desks until Ctrl+C."""
    from checkin.sync.hub import serve as run

    def announce(url: str) -> None:
        click.echo(f"hub serving {cli.db_path} on {url}/api/v1 (Ctrl+C stops)")
        if host in ("127.0.0.1", "localhost", "::1"):
            click.echo("only this machine can reach it: --host 0.0.0.0 opens it to the "
                       "venue network")

    run(cli.db_path, host=host, port=port, announce=announce)


@hub.command("add-station")
@click.argument("name")
@pass_cli
def add_station(cli: CliContext, name: str) -> None:
    """Register desk NAME; prints its token on the last line (shown once only)."""
    from checkin.sync.stations import add_station as add

    store = cli.store()
    store.event_info()  # a hub serves an event: refuse a database without one now
    token = add(store, name)
    click.echo(f"station {name.strip()!r} added; on that desk run: checkin sync --hub "
               f"http://{socket.gethostname() or 'THIS-MACHINE'}:8765 --token TOKEN, "
               "with the token below")
    click.echo(token)


@hub.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
@pass_cli
def stations(cli: CliContext, as_json: bool) -> None:
    """List the desks: last contact, events received, clock skew."""
    from checkin.sync.stations import SKEW_WARNING
    from checkin.sync.stations import stations as listed

    found = listed(cli.store())
    if as_json:
        click.echo(json.dumps([{
            "name": s.name, "created_at": s.created_at, "revoked_at": s.revoked_at,
            "last_contact": s.last_contact, "events_received": s.events_received,
            "clock_skew": s.clock_skew, "clock_skew_flagged": s.skew_flagged,
        } for s in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no stations yet (`checkin hub add-station NAME` adds one)")
        return
    click.echo(f"{'station':<20} {'state':<8} {'last contact':<30} {'events':>7}  clock skew")
    for s in found:
        skew = "-" if s.clock_skew is None else f"{s.clock_skew:+.1f} s"
        if s.skew_flagged:
            skew += f"  ! over {SKEW_WARNING:.0f} s: check this desk's clock"
        state = "revoked" if s.revoked_at else "active"
        click.echo(f"{s.name:<20} {state:<8} {s.last_contact or 'never':<30} "
                   f"{s.events_received:>7}  {skew}")


@hub.command("revoke-station")
@click.argument("name")
@pass_cli
def revoke_station(cli: CliContext, name: str) -> None:
    """Revoke desk NAME: its token is refused from now on."""
    from checkin.sync.stations import revoke_station as revoke

    revoke(cli.store(), name)
    click.echo(f"station {name!r} revoked: its token is refused from now on")
