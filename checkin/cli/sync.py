"""`checkin sync` (a desk with the hub) and `checkin conflicts` (double admissions).

`checkin sync --hub URL --token TOKEN` remembers both (the URL in the database, the
token in a 0600 file beside it), so later `checkin sync` alone does it again;
`checkin sync --pair CODE` does the same from the pairing code of `checkin hub
add-station`, with the hub certificate's fingerprint. An https hub is pinned: its
fingerprint comes from the code, from --fingerprint, or with --trust-on-first-use from
the first connection (docs/sync.md). Without a database yet, the first sync makes one
from the hub, in a temporary file renamed into place only when the sync succeeded (a
failed first sync leaves nothing behind).
"""

import json
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from checkin.cli.context import CliContext, pass_cli
from checkin.errors import CheckinError

if TYPE_CHECKING:
    from checkin.sync.client import SyncResult


def _first_sync(path: Path, hub: tuple[str, ...], token: str | None, fingerprint: str | None,
                trust_on_first_use: bool, final: bool = False) -> tuple["SyncResult", str]:
    """Sync into a new database; (result, the line saying what was created)."""
    from checkin import passphrases
    from checkin.db import open_db
    from checkin.station_keys import station_key_path
    from checkin.store import Store
    from checkin.sync import hub_status
    from checkin.sync.client import SyncError, remember, sync_once

    if not hub or not token:
        raise SyncError(f"no event database at {path} yet: the first sync needs --pair CODE, "
                        "or --hub URL and --token TOKEN (from `checkin hub add-station` on "
                        "the hub)")
    partial = path.with_name(path.name + ".partial")

    def discard() -> None:
        for suffix in ("", "-wal", "-shm", ".hub-token", ".station-key"):
            partial.with_name(partial.name + suffix).unlink(missing_ok=True)

    discard()  # what an interrupted first sync left
    # An encrypted hub makes an encrypted desk (docs/encryption.md), with the desk's own
    # passphrase, before the first attendee is written.
    seen = hub_status.peek(hub, token, fingerprint, trust_on_first_use)
    fingerprint = fingerprint or seen.fingerprint
    secret = passphrases.for_new(path) if seen.encrypted else None
    if secret is not None:
        passphrases.remember(partial, secret)
    store = Store(open_db(partial, create=True, encrypt=secret is not None))
    try:
        result = sync_once(store, partial, hub, token, fingerprint=fingerprint,
                           trust_on_first_use=trust_on_first_use, final=final)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        store.db.conn.close()
        discard()
        raise
    store.db.conn.close()
    if path.exists():
        discard()
        raise CheckinError(f"{path} appeared while syncing: nothing was changed in it")
    partial.replace(path)
    if secret is not None:
        passphrases.forget(partial)
        passphrases.remember(path, secret)
    if station_key_path(partial).exists():  # the key the hub just listed goes along
        os.replace(station_key_path(partial), station_key_path(path))
    discard()
    store = Store(open_db(path))
    remember(store, path, hub, token)
    count = store.attendee_count()
    info = store.event_info()
    store.db.conn.close()
    return result, (f"created {path} from the hub: event {info.name!r} "
                    f"({', '.join(info.days)}), {count} attendees"
                    + (", encrypted like the hub's" if secret is not None else ""))


def _station() -> str:
    """The station name this desk's events carry (the hub's live view shows it)."""
    from checkin.config import StationConfig

    return StationConfig.load().station


@click.command()
@click.option("--pair", "code", metavar="CODE",
              help="The pairing code of `checkin hub add-station` (scanned or copied): the "
                   "hub, this desk's token and the hub certificate's fingerprint at once "
                   "(remembered).")
@click.option("--hub", multiple=True,
              help="The hub's address, e.g. http://192.168.1.10:8765 (remembered). Given "
                   "more than once: hub processes of one database, tried in turn when one "
                   "does not answer.")
@click.option("--token", help="This desk's token from `checkin hub add-station` (remembered "
                              "in a file beside the database, readable by you only).")
@click.option("--fingerprint", metavar="SHA256",
              help="An https hub: the SHA-256 fingerprint of its certificate, as `checkin hub "
                   "serve` shows it (remembered: every connection checks it).")
@click.option("--trust-on-first-use", is_flag=True,
              help="An https hub and no fingerprint: pin the certificate it presents now "
                   "(compare the fingerprint printed with the hub's).")
@click.option("--final", is_flag=True,
              help="End of the day: push everything, check that the hub acknowledged "
                   "every event of this desk (non-zero exit if not), and tell the hub "
                   "(it may upload the attendance then).")
@pass_cli
@click.pass_context
def sync(ctx: click.Context, cli: CliContext, code: str | None, hub: tuple[str, ...],
         token: str | None, fingerprint: str | None, trust_on_first_use: bool,
         final: bool) -> None:
    """Push this desk's events to the hub and pull everybody else's."""
    from checkin.sync.client import normalise_hub, pinned, remember, sync_once
    from checkin.sync.pairing import pair, parse
    from checkin.sync.tls import display_fingerprint, normalise_fingerprint

    path = cli.sqlite_file("sync", "a desk keeps its own SQLite file, which works offline "
                                   "(`checkin --db desk.sqlite sync --hub URL`); the hub's "
                                   "database is served by `checkin hub serve`")
    pairing = None
    if code is not None:
        if hub or token or fingerprint or trust_on_first_use:
            raise click.UsageError("--pair brings the hub, the token and the fingerprint: not "
                                   "with --hub, --token, --fingerprint or --trust-on-first-use")
        pairing = parse(code)
        hub, token, fingerprint = (pairing.url,), pairing.token, pairing.fingerprint
    hub = tuple(normalise_hub(h) for h in hub)
    if fingerprint:
        fingerprint = normalise_fingerprint(fingerprint)
    if not path.exists():
        before = None
        result, created = _first_sync(path, hub, token, fingerprint, trust_on_first_use, final)
        click.echo(created)
        store = cli.store(station=_station())
    else:
        store = cli.store(station=_station())
        if pairing is not None:
            pair(store, pairing)
        else:
            remember(store, path, hub, token)
        before = pinned(store)
        result = sync_once(store, path, fingerprint=fingerprint,
                           trust_on_first_use=trust_on_first_use, final=final)
    if result.fingerprint and result.fingerprint != before:
        how = (" on first use: compare it with the one `checkin hub serve` shows"
               if not fingerprint else "")
        click.echo(f"pinned the hub's TLS certificate {display_fingerprint(result.fingerprint)}"
                   + how)
    line = (f"synced with {result.hub} as {result.station}: {result.pushed} pushed, "
            f"{result.pulled} pulled, {result.waiting} waiting in the outbox")
    if abs(result.clock_skew) > 60:
        line += (f"; this desk's clock is {abs(result.clock_skew):.0f} s "
                 f"{'behind' if result.clock_skew > 0 else 'ahead of'} the hub's")
    click.echo(line)
    if final:
        if result.waiting:
            raise CheckinError(f"not all synced: {result.waiting} events of this desk are not "
                               "acknowledged by the hub; run `checkin sync --final` again")
        total = int(store.db.execute("SELECT count(*) FROM events").fetchone()[0])
        click.echo(f"all synced: {total} events")
        if result.upload == "queued":
            click.echo("the hub uploads the attendance to the organiser now "
                       "(`checkin hub uploads` on the hub shows how it went)")
        if result.pretix_final is not None:
            click.echo(result.pretix_final.line())


@click.command()
@click.option("--day", help="Only this day (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True,
              help='A JSON list of {"attendee_id", "name", "day", "admissions": '
                   '[{"station", "operator", "time"}, ...]}.')
@pass_cli
def conflicts(cli: CliContext, day: str | None, as_json: bool) -> None:
    """Delegates admitted on the same day at two or more stations (no undo annulling them)."""
    from checkin.conflicts import conflicts as find

    if day is not None:
        try:
            day = date.fromisoformat(day).isoformat()
        except ValueError:
            raise click.BadParameter(f"{day!r} is not a date as YYYY-MM-DD",
                                     param_hint="--day") from None
    found = find(cli.store(), day)
    if as_json:
        click.echo(json.dumps([c.to_json() for c in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no conflicts" + (f" on {day}" if day else ""))
        return
    for c in found:
        where = "; ".join(f"{a.station} {a.time}" + (f" by {a.operator}" if a.operator else "")
                          for a in c.admissions)
        click.echo(f"{c.day}  {c.attendee_id}  {c.name}: {where}")
    click.echo(f"{len(found)} conflict{'s' if len(found) != 1 else ''}: one person each, "
               "admitted at several desks")
