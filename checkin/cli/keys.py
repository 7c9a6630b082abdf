"""`checkin keys`: the event's signing keys and token revocation."""

import click

from checkin.cli.context import CliContext, pass_cli


@click.group()
def keys() -> None:
    """Signing keys for QR confirmations: list, rotate, revoke a token."""


@keys.command("list")
@pass_cli
def list_(cli: CliContext) -> None:
    """List the public keys tokens verify with; `*` marks the key in this machine's key file."""
    from checkin import keys as keymod

    store = cli.store()
    signer = keymod.load_signer(store, cli.db_path, strict=False)
    found = keymod.list_keys(store)
    if not found:
        click.echo("no keys (run `checkin init`, or receive the keys from the organiser)")
    for info in found:
        mark = "*" if signer is not None and signer.key_id == info.key_id else " "
        state = f"revoked {info.revoked_at}" if info.revoked_at else "valid"
        click.echo(f"{mark} {info.key_id}  created {info.created_at}  {state}")


@keys.command()
@click.option("--revoke-old", is_flag=True,
              help="Also revoke every older key (a leaked key): its tokens stop verifying.")
@click.option("--new-signer", is_flag=True,
              help="Rotate although this machine holds no signing key (the organiser's key "
                   "file is lost): this machine becomes the one that issues confirmations.")
@pass_cli
def rotate(cli: CliContext, revoke_old: bool, new_signer: bool) -> None:
    """Make a new signing key; tokens signed with older keys keep verifying."""
    from checkin import keys as keymod
    from checkin.errors import CheckinError
    from checkin.paths import key_path

    store = cli.store()
    store.event_info()  # a clear error if this is not an event database
    path = key_path(cli.db_path)
    if not path.exists() and keymod.list_keys(store) and not new_signer:
        # A desk station holds only public keys: a private key must not appear on it
        # because someone ran the organiser's command there.
        raise CheckinError(f"no signing key at {path}: this is a desk station, rotate on the "
                           "organiser's machine (or pass --new-signer if its key is lost)")
    key_id = keymod.rotate_key(store, cli.db_path, revoke_old=revoke_old)
    click.echo(f"new signing key {key_id}" + (" (older keys revoked)" if revoke_old else ""))


@keys.command()
@click.argument("attendee_id")
@click.option("--reason", default="", help="Why (kept in the log).")
@pass_cli
def revoke(cli: CliContext, attendee_id: str, reason: str) -> None:
    """Revoke ATTENDEE_ID's issued tokens (lost or shared): they answer `cancelled` from now.

    The attendee gets a new reference; issue a new confirmation with
    `checkin confirmations --ids ATTENDEE_ID`.
    """
    from checkin import confirmations

    confirmations.revoke(cli.store(), attendee_id, reason=reason.strip())
    click.echo(f"revoked the tokens of {attendee_id}; issue a new confirmation")
