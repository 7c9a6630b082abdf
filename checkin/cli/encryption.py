"""`checkin encrypt` and `checkin decrypt`: an existing event database (and its signing
key file) switched between plain and encrypted; and the terminal prompt for passphrases
that every command uses (docs/encryption.md)."""

import sys
from pathlib import Path

import click

from checkin.cli.context import CliContext, pass_cli

KEYRING_HELP = ("Also store the passphrase in the OS keyring for this database, so that "
                "this user is not asked for it again here.")

# Why `encrypt` and `decrypt` refuse a PostgreSQL URL.
ON_SERVER = ("the PostgreSQL server protects its data itself (an encrypted disk, TLS, roles: "
             "docs/deployment.md)")


def interactive() -> bool:
    """Whether a person can be asked (a terminal on stdin); tests replace it."""
    return sys.stdin is not None and sys.stdin.isatty()


def prompt(path: Path, new: bool) -> str | None:
    """checkin.passphrases' prompter for the command line (on stderr, never echoed)."""
    if not interactive():
        return None
    if new:
        text: str = click.prompt(f"New passphrase for {path}", hide_input=True,
                                 confirmation_prompt="Again, to be sure", err=True)
    else:
        text = click.prompt(f"Passphrase for {path}", hide_input=True, err=True)
    return text


def install_prompt() -> None:
    from checkin import passphrases

    passphrases.set_prompter(prompt)


@click.command()
@click.option("--keyring", "use_keyring", is_flag=True, help=KEYRING_HELP)
@pass_cli
def encrypt(cli: CliContext, use_keyring: bool) -> None:
    """Encrypt the event database and its signing key file with a passphrase (SQLCipher).

    The passphrase comes from $CHECKIN_PASSPHRASE, or is asked for (twice). The encrypted
    copy is written beside the database, checked, and only then put in its place: if
    anything fails, the database stays as it was. Refused while a desk, the hub or the
    station app has the database open."""
    from checkin import cipher, encryption, passphrases

    path = cli.sqlite_file("encrypt", ON_SERVER)
    if cipher.is_encrypted(path):
        outcome = encryption.encrypt(path, None)
        click.echo(f"{path} is encrypted already"
                   + ("; its signing key file is encrypted now" if outcome.key_file else ""))
        secret = passphrases.known(path)
    else:
        if not path.exists():
            encryption.encrypt(path, None)  # says there is none
        secret = passphrases.for_new(path)
        outcome = encryption.encrypt(path, secret)
        click.echo(f"encrypted {path} ({outcome.rows} rows in {outcome.tables} tables)"
                   + ("; the signing key file too" if outcome.key_file else ""))
    if use_keyring and secret is not None:
        passphrases.keyring_store(path, secret)
        click.echo("the passphrase is in the OS keyring for this database")


@click.command()
@pass_cli
def decrypt(cli: CliContext) -> None:
    """Decrypt the event database and its signing key file (the passphrase as usual:
    $CHECKIN_PASSPHRASE, the OS keyring or the prompt). Atomic like `checkin encrypt`;
    the keyring entry for the database is removed."""
    from checkin import encryption

    path = cli.sqlite_file("decrypt", ON_SERVER)
    outcome = encryption.decrypt(path)
    if outcome.already:
        click.echo(f"{path} is not encrypted: nothing to do")
        return
    click.echo(f"decrypted {path} ({outcome.rows} rows in {outcome.tables} tables)"
               + ("; the signing key file too" if outcome.key_file else ""))
