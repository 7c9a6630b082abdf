"""`checkin init` and `checkin demo`: create an event database."""

from datetime import date

import click

from checkin.cli.context import CliContext, pass_cli
from checkin.errors import CheckinError
from checkin.store import Store


def parse_days(text: str) -> list[str]:
    days = []
    for part in text.split(","):
        part = part.strip()
        try:
            days.append(date.fromisoformat(part).isoformat())
        except ValueError:
            raise click.BadParameter(f"{part!r} is not a date as YYYY-MM-DD") from None
    if not days:
        raise click.BadParameter("give at least one day")
    return sorted(set(days))


@click.command()
@click.option("--event", "name", required=True, help="Event name, as printed on confirmations.")
@click.option("--days", required=True, help="Event days: YYYY-MM-DD[,YYYY-MM-DD...].")
@click.option("--timezone", "zone_name", metavar="ZONE",
              help="The event's time zone, e.g. Europe/Berlin (default: this machine's): "
                   "an admission counts for the event day of this zone, whatever zone a "
                   "desk's laptop is set to.")
@click.option("--force", is_flag=True, help="Rename/redate an existing event database.")
@click.option("--encrypt", "encrypted", is_flag=True,
              help="Encrypt the new database and its signing key file (SQLCipher) with a "
                   "passphrase: $CHECKIN_PASSPHRASE, else asked for (docs/encryption.md).")
@click.option("--keyring", "use_keyring", is_flag=True,
              help="With --encrypt: also store the passphrase in the OS keyring.")
@pass_cli
def init(cli: CliContext, name: str, days: str, zone_name: str | None, force: bool,
         encrypted: bool, use_keyring: bool) -> None:
    """Create an event database with its name, days and time zone."""
    from checkin import cipher, clock, keys, passphrases
    from checkin.places import shown

    day_list = parse_days(days)
    name = name.strip()
    if not name:
        raise click.BadParameter("the event name is empty", param_hint="--event")
    if zone_name is not None:
        clock.zone(zone_name)  # refused before anything is created
    if use_keyring and not encrypted:
        raise click.UsageError("--keyring goes with --encrypt")
    secret = None
    if encrypted:
        from checkin.cli.encryption import ON_SERVER

        cli.sqlite_file("init --encrypt", ON_SERVER)
    if encrypted and not cipher.is_encrypted(cli.db_path):
        if cli.db_path.exists() and cli.db_path.stat().st_size:
            raise CheckinError(f"{cli.db_path} exists and is not encrypted: `checkin "
                               "encrypt` encrypts it (nothing was changed)")
        secret = passphrases.for_new(cli.db_path)
        passphrases.remember(cli.db_path, secret)  # open_db makes the new file encrypted

    if cli.db_url is None and not cli.db_path.exists():
        keys.check_adoptable(cli.db_path)  # before anything is created
    store = cli.store(create=True)
    # Checked and written under one write lock: an `init` or `demo` running at the same
    # time then finds this event and refuses, instead of both claiming success.
    with store.transaction():
        if store.meta("event_name") is not None and not force:
            raise CheckinError(
                f"{shown(cli.place)} already holds an event (use --force to rename it)")
        keys.check_adoptable(cli.db_path, store)
        store.set_event(name, day_list)
        if zone_name is not None or store.meta(clock.ZONE_KEY) is None:
            store.set_meta(clock.ZONE_KEY, zone_name or clock.local_zone_name())
    _after_init(cli, store)
    click.echo(f"created event {name!r} ({', '.join(day_list)}, time zone "
               f"{store.meta(clock.ZONE_KEY)}) in {shown(cli.place)}"
               + (", encrypted" if cipher.is_encrypted(cli.db_path) else ""))
    if use_keyring:
        passphrases.keyring_store(cli.db_path, secret or passphrases.known(cli.db_path) or "")
        click.echo("the passphrase is in the OS keyring for this database")


def _after_init(cli: CliContext, store: Store) -> None:
    """Per-event setup: the Ed25519 signing key beside the database (checkin.keys)."""
    from checkin import keys, paths

    key_id = keys.ensure_event_key(store, cli.db_path)
    click.echo(f"signing key {key_id} in {paths.key_path(cli.db_path)} (keep it private)")


@click.command()
@click.option("--force", is_flag=True,
              help="Replace an existing event database (the old file is kept as a backup).")
@pass_cli
def demo(cli: CliContext, force: bool) -> None:
    """Create the demo event: 400 delegates from 61 countries, today and tomorrow."""
    from datetime import datetime
    from pathlib import Path

    from checkin import keys, paths
    from checkin.db import open_db, replace_database
    from checkin.demo import create_demo

    path = cli.db_path
    if not path.exists():
        keys.check_adoptable(path)  # before anything is created
    else:
        db = open_db(path)
        taken = (db.execute("SELECT 1 FROM meta WHERE key = 'event_name'").fetchone()
                 or db.execute("SELECT 1 FROM attendees LIMIT 1").fetchone())
        db.conn.close()
        if taken and not force:
            raise CheckinError(f"{path} already holds an event (use --force to replace it)")
        if taken:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            backup = path.with_name(f"{path.stem}.replaced-{stamp}{path.suffix}")

            def build(temp: Path) -> None:
                new = Store(open_db(temp, create=True))
                try:
                    create_demo(new)
                finally:
                    new.close()

            # Refused while a desk holds the database (checkin.db.replace_database).
            replace_database(path, build, backup)
            old_key = paths.key_path(path)
            if old_key.exists():  # the old event's key goes with its database
                old_key.replace(paths.key_path(backup))
            click.echo(f"kept the old database as {backup}")
    store = cli.store(create=True)
    keys.check_adoptable(path, store)
    if not store.created_from("demo"):
        create_demo(store)
    key_id = keys.ensure_event_key(store, path)
    info = store.event_info()
    click.echo(f"created demo event {info.name!r} ({', '.join(info.days)}) with "
               f"{store.attendee_count()} attendees in {path}; signing key {key_id}")
