"""`checkin hub ...`: serve this event database to the desks, and manage the desks and
the viewers of the live web page (docs/live.md).

`hub serve` imports the web stack (FastAPI, uvicorn) only when it runs; the other
subcommands are plain database work. docs/sync.md has the protocol, TLS and pairing.
"""

import json
from pathlib import Path

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
@click.option("--tls-cert", type=click.Path(dir_okay=False, path_type=Path),
              help="TLS: the hub's certificate (PEM; a chain starts with it). Needs --tls-key.")
@click.option("--tls-key", type=click.Path(dir_okay=False, path_type=Path),
              help="TLS: the certificate's private key (PEM, unencrypted).")
@click.option("--tls-self-signed", is_flag=True,
              help="TLS with a self-signed certificate made once beside the database for "
                   "--host (and localhost), and reused at every start.")
@click.option("--upload", "upload", metavar="URL",
              help="After each final sync of a desk, POST the attendance as JSON to URL "
                   "(default: the address set by `checkin hub upload-url`).")
@click.option("--upload-backoff", type=click.FloatRange(0.01, 3600), default=5.0,
              hidden=True, help="Seconds before the second upload attempt (doubles).")
@click.option("--pretix-every", type=click.FloatRange(1, 86400), default=180.0,
              show_default=True, metavar="SECONDS",
              help="A database connected to pretix (`checkin pretix connect`): pull from "
                   "pretix this often (admissions are pushed as desks send them).")
@click.option("--pretix-backoff", type=click.FloatRange(0.01, 3600), default=5.0,
              hidden=True, help="Seconds before pretix is tried again after a failure "
                                "(doubles, at most 300).")
@pass_cli
def serve(cli: CliContext, host: str, port: int, tls_cert: Path | None, tls_key: Path | None,
          tls_self_signed: bool, upload: str | None, upload_backoff: float,
          pretix_every: float, pretix_backoff: float) -> None:
    """Serve the event database to the desks until Ctrl+C."""
    from checkin.places import shown as shown_place
    from checkin.pretix.connection import connected, load
    from checkin.pretix.cycle import Policy
    from checkin.sync.hub import prepare
    from checkin.sync.hub import serve as run
    from checkin.sync.tls import display_fingerprint, ensure_self_signed, fingerprint_of_file
    from checkin.sync.upload import UploadPolicy, check_url, configured_url, shown

    if tls_self_signed and (tls_cert or tls_key):
        raise click.UsageError("--tls-self-signed or --tls-cert/--tls-key, not both")
    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError("--tls-cert and --tls-key go together")
    if tls_self_signed:
        prepare(cli.place)  # an event database, before files appear beside it
        made = ensure_self_signed(cli.db_path, host)
        tls_cert, tls_key = made.cert, made.key
        if made.created:
            click.echo(f"made a self-signed TLS certificate {made.cert} (its key {made.key} "
                       "is readable by you only); every start reuses it")
    upload = check_url(upload) if upload else None
    target = upload or configured_url(cli.place)

    def announce(url: str) -> None:
        click.echo(f"hub serving {shown_place(cli.place)} on {url}/api/v1 (Ctrl+C stops)")
        click.echo(f"live view for the organiser at {url}/ (`checkin hub add-viewer NAME` "
                   "prints a link that signs in)")
        if tls_cert is not None:
            click.echo(f"TLS certificate {display_fingerprint(fingerprint_of_file(tls_cert))} "
                       "(desks pin it: the pairing code of `checkin hub add-station` holds it)")
        else:
            click.echo("without TLS: anyone on this network can read the traffic "
                       "(--tls-self-signed encrypts it)")
        if host in ("127.0.0.1", "localhost", "::1"):
            click.echo("only this machine can reach it: --host 0.0.0.0 opens it to the "
                       "venue network")
        if target:
            click.echo(f"after each final sync of a desk the attendance is uploaded to "
                       f"{shown(target)}")
        store = cli.store()
        if connected(store):
            click.echo(f"pretix: {load(store).describe()}: pulled every {pretix_every:.0f} s, "
                       "admissions pushed as the desks send them")

    run(cli.place, host=host, port=port, ssl_certfile=tls_cert, ssl_keyfile=tls_key,
        announce=announce, upload_url=upload,
        upload_policy=UploadPolicy(first_delay=upload_backoff),
        pretix_policy=Policy(pull_every=pretix_every, first_retry=pretix_backoff))


@hub.command("add-station")
@click.argument("name")
@click.option("--url", help="The hub's address for the pairing code (default: the one "
                            "`checkin hub serve` last announced).")
@pass_cli
def add_station(cli: CliContext, name: str, url: str | None) -> None:
    """Register desk NAME: a pairing code (PNG beside the database, and drawn here) and its
    token, alone on the last line (shown once only)."""
    from checkin.sync.pairing import hub_address, make, terminal_qr, write_png
    from checkin.sync.stations import add_station as add
    from checkin.sync.tls import display_fingerprint

    store = cli.store()
    store.event_info()  # a hub serves an event: refuse a database without one now
    served = store.meta("hub_url")
    address, fingerprint = hub_address(store, cli.db_path, url)  # checked before adding
    name = name.strip()
    token = add(store, name)
    code = make(address, token, fingerprint)
    png = cli.db_path.with_name(f"{name}-pairing.png")
    write_png(code, png)
    click.echo(f"station {name!r} added for the hub at {address}"
               + ("" if url or served else " (not served yet: check the address, or give --url)"))
    if fingerprint:
        click.echo(f"TLS certificate {display_fingerprint(fingerprint)}")
    click.echo(terminal_qr(code))
    click.echo(f"the same code as a PNG, readable by you only (delete it once the desk is "
               f"paired): {png}")
    click.echo(f"on the desk, scan the code, or run: checkin sync --pair {code}")
    click.echo(f"or: checkin sync --hub {address} --token TOKEN"
               + (f" --fingerprint {fingerprint}" if fingerprint else "")
               + ", with the token below")
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
    """Revoke desk NAME: its token is refused from now on, its station key revoked."""
    from checkin.sync.stations import revoke_station as revoke

    keys = revoke(cli.store(), name)
    click.echo(f"station {name!r} revoked: its token is refused from now on"
               + (f"; its station key{'s' if len(keys) > 1 else ''} {', '.join(keys)} too "
                  "(tokens signed with it stop verifying at each desk's next sync)"
                  if keys else ""))


@hub.command("upload-url")
@click.argument("url", required=False)
@click.option("--clear", is_flag=True, help="No uploads any more.")
@pass_cli
def upload_url(cli: CliContext, url: str | None, clear: bool) -> None:
    """Set (or show) where the hub POSTs the attendance after each final sync of a desk."""
    from checkin.sync.upload import set_upload_url, shown
    from checkin.sync.upload import upload_url as current

    store = cli.store()
    if url and clear:
        raise click.UsageError("give URL or --clear, not both")
    if clear:
        set_upload_url(store, None)
        click.echo("no upload address: final syncs upload nothing")
    elif url:
        store.event_info()  # a hub serves an event: refuse a database without one now
        set_upload_url(store, url)
        click.echo(f"after each final sync the hub uploads the attendance to {shown(url)} "
                   "(from its next start)")
    else:
        found = current(store)
        click.echo(shown(found) if found else
                   "no upload address (`checkin hub upload-url URL` sets one)")


@hub.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="The newest N attempts.")
@pass_cli
def uploads(cli: CliContext, as_json: bool, limit: int) -> None:
    """List the upload attempts: time, address, status, HTTP code, error, bytes."""
    from checkin.sync.upload import uploads as listed

    found = listed(cli.store(), limit)
    if as_json:
        click.echo(json.dumps([u.to_json() for u in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no uploads yet")
        return
    for u in found:
        code = "-" if u.http_code is None else str(u.http_code)
        click.echo(f"{u.time}  {u.status:<8} {code:>3}  {u.bytes:>9} B  attempt {u.attempt}  "
                   f"{u.url}  {u.trigger}" + (f"  ({u.error})" if u.error else ""))


@hub.command("add-viewer")
@click.argument("name")
@click.option("--url", help="The hub's address for the link (default: the one `checkin hub "
                            "serve` last announced).")
@pass_cli
def add_viewer(cli: CliContext, name: str, url: str | None) -> None:
    """Add viewer NAME of the live web page: its sign-in link, alone on the last line
    (shown once only; it stays valid until `checkin hub revoke-viewer NAME`)."""
    from checkin.sync.live.viewers import add_viewer as add
    from checkin.sync.live.viewers import check_name
    from checkin.sync.pairing import hub_address

    store = cli.store()
    store.event_info()  # a hub serves an event: refuse a database without one now
    name = check_name(name)
    served = store.meta("hub_url")
    address, fingerprint = hub_address(store, cli.db_path, url)  # checked before adding
    token = add(store, name)
    click.echo(f"viewer {name!r} added: the link below opens the live view at {address} "
               "on any browser, as often as needed, until `checkin hub revoke-viewer "
               f"{name}`" + ("" if url or served else
                             " (not served yet: check the address, or give --url)"))
    if fingerprint:
        click.echo("the hub's certificate is its own (self-signed): the browser asks once "
                   "whether to trust it; compare its SHA-256 fingerprint with the one "
                   "`checkin hub serve` shows")
    click.echo(f"{address}/sign-in?token={token}")


@hub.command("revoke-viewer")
@click.argument("name")
@pass_cli
def revoke_viewer(cli: CliContext, name: str) -> None:
    """Revoke viewer NAME: its link and every session it opened end now."""
    from checkin.sync.live.viewers import revoke_viewer as revoke

    ended = revoke(cli.store(), name)
    click.echo(f"viewer {name!r} revoked: its link answers 401 from now on"
               + (f", and {ended} open session{'s' if ended != 1 else ''} ended" if ended
                  else ""))


@hub.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
@pass_cli
def viewers(cli: CliContext, as_json: bool) -> None:
    """List the viewers of the live web page: state, last sign-in, open sessions."""
    from checkin.sync.live.viewers import viewers as listed

    found = listed(cli.store())
    if as_json:
        click.echo(json.dumps([{
            "name": v.name, "created_at": v.created_at, "revoked_at": v.revoked_at,
            "last_sign_in": v.last_sign_in, "sessions": v.sessions,
        } for v in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no viewers yet (`checkin hub add-viewer NAME` adds one)")
        return
    click.echo(f"{'viewer':<20} {'state':<8} {'last sign-in':<30} sessions")
    for v in found:
        state = "revoked" if v.revoked_at else "active"
        click.echo(f"{v.name:<20} {state:<8} {v.last_sign_in or 'never':<30} {v.sessions}")


def _add_fields() -> None:
    from checkin.cli.privacy import desk_fields

    hub.add_command(desk_fields)


_add_fields()  # `checkin hub fields` (checkin/cli/privacy.py: the privacy commands together)
