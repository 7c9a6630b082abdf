"""Where the passphrase of an encrypted event database comes from (docs/encryption.md).

Never from a file beside the database: a laptop lost with both is not protected. The
sources, in this order:

1. this process's memory: a passphrase that opened the database once (the station app's
   dialog puts it there before its lanes open the file; the hub's threads find it);
2. ``$CHECKIN_PASSPHRASE`` (a service started by a manager that holds secrets; tests);
3. the OS keyring (``keyring``: Secret Service, macOS Keychain, Windows Credential
   Locker), service ``checkin-station``, user name the database's absolute path
   (``checkin encrypt --keyring`` / ``checkin init --encrypt --keyring`` store it there);
4. a prompt: whoever registered one with ``set_prompter`` (the CLI, when it runs in a
   terminal); asked up to three times.

Contract:

- ``candidates(path) -> Iterator[(source, passphrase)]``: what to try for an existing
  encrypted file, in the order above (checkin.db.open_db tries them, and ``remember``s
  the one that opened it).
- ``for_new(path) -> str``: the passphrase for a database about to be encrypted: the
  environment, else the keyring, else the prompt (asked twice); CheckinError when there
  is none or it is shorter than checkin.cipher.MIN_LENGTH.
- ``known(path) -> str | None``: the passphrase that opened path in this process (the
  signing key file of an encrypted database is encrypted with it: checkin.keys).
- ``encrypt_new() -> bool``: ``$CHECKIN_ENCRYPT`` is ``1``: every database this process
  creates is encrypted (a hub machine's policy; the test suite's switch to run the
  existing tests on encrypted files).
- ``keyring_store(path, passphrase)`` / ``keyring_delete(path)``.
"""

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from checkin import cipher
from checkin.errors import CheckinError

log = logging.getLogger(__name__)

ENV = "CHECKIN_PASSPHRASE"
ENV_ENCRYPT = "CHECKIN_ENCRYPT"
SERVICE = "checkin-station"
PROMPT_TRIES = 3

# prompter(path, new) -> the passphrase typed, or None (nobody to ask)
Prompter = Callable[[Path, bool], str | None]

_known: dict[Path, str] = {}
_lock = threading.Lock()
_prompter: list[Prompter] = []

SOURCES_HELP = ("$CHECKIN_PASSPHRASE, the OS keyring (`checkin encrypt --keyring`), or run "
                "the command in a terminal to be asked")


def _key(path: Path | str) -> Path:
    return Path(os.path.abspath(Path(path).expanduser()))


def remember(path: Path | str, passphrase: str) -> None:
    with _lock:
        _known[_key(path)] = passphrase


def forget(path: Path | str) -> None:
    with _lock:
        _known.pop(_key(path), None)


def known(path: Path | str) -> str | None:
    with _lock:
        return _known.get(_key(path))


def set_prompter(prompter: Prompter | None) -> None:
    _prompter[:] = [prompter] if prompter is not None else []


def encrypt_new() -> bool:
    return os.environ.get(ENV_ENCRYPT, "").strip() == "1"


def from_env() -> str | None:
    return os.environ.get(ENV) or None


def keyring_get(path: Path | str) -> str | None:
    """The keyring's passphrase for path; None without one (or without a usable keyring:
    a desk without a desktop session has none, and then the other sources count)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # keyring is a dependency; a stripped build still has the others
        return None
    try:
        return keyring.get_password(SERVICE, str(_key(path)))
    except (KeyringError, RuntimeError, OSError) as exc:
        log.info("no passphrase from the OS keyring for %s: %s", path, exc)
        return None


def keyring_store(path: Path | str, passphrase: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, str(_key(path)), passphrase)
    except (KeyringError, RuntimeError, OSError) as exc:
        raise CheckinError(f"the OS keyring did not take the passphrase ({exc}); give it "
                           f"with ${ENV} or at the prompt instead") from None
    log.info("passphrase for %s stored in the OS keyring (%s)", path, keyring.get_keyring())


def keyring_delete(path: Path | str) -> None:
    try:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):  # none stored: nothing to do
            keyring.delete_password(SERVICE, str(_key(path)))
    except (ImportError, KeyringError, RuntimeError, OSError) as exc:
        log.info("could not remove the keyring entry of %s: %s", path, exc)


def candidates(path: Path | str, *, prompt: bool = True) -> Iterator[tuple[str, str]]:
    """(source, passphrase) to try for the encrypted file at path (module doc); prompt
    False: not the prompt."""
    found = known(path)
    if found is not None:
        yield "memory", found
    env = from_env()
    if env is not None:
        yield ENV, env
    stored = keyring_get(path)
    if stored is not None:
        yield "the OS keyring", stored
    for _ in range(PROMPT_TRIES):
        if not _prompter or not prompt:
            return
        typed = _prompter[0](_key(path), False)
        if typed is None:
            return
        yield "the prompt", typed


def for_new(path: Path | str) -> str:
    """The passphrase for a database about to be encrypted (module doc)."""
    passphrase = from_env() or keyring_get(path)
    if passphrase is None and _prompter:
        passphrase = _prompter[0](_key(path), True)
    if passphrase is None:
        raise CheckinError(f"{path} is to be encrypted, but no passphrase was given: "
                           f"{SOURCES_HELP}")
    check_new(passphrase)
    return passphrase


def check_new(passphrase: str) -> None:
    if len(passphrase) < cipher.MIN_LENGTH:
        raise CheckinError(f"the passphrase is too short: at least {cipher.MIN_LENGTH} "
                           "characters (a whole sentence is better)")
