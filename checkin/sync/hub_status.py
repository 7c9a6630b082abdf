"""What a desk learns from the hub before it has a database: whether the hub's event
database is encrypted (GET /status, field ``encrypted``), so that a desk made by its
first sync is encrypted too (docs/encryption.md).

Contract: ``peek(hub, token, fingerprint=None, trust_on_first_use=False) -> Peek``: one
GET /status with the same TLS pinning as sync (checkin.sync.client), nothing written; hub
is an address or several (the first that answers counts, as in sync_once);
``Peek.fingerprint`` is the certificate seen (https), which the sync that follows must
see again. SyncError in one line when the hub cannot be asked.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from checkin.net_errors import reason
from checkin.sync import protocol, tls
from checkin.sync.client import HubUnreachable, SyncError, normalise_hub

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Peek:
    encrypted: bool
    fingerprint: str | None


def peek(hub: str | Sequence[str], token: str, fingerprint: str | None = None,
         trust_on_first_use: bool = False) -> Peek:
    hubs = list(dict.fromkeys(normalise_hub(h) for h in ([hub] if isinstance(hub, str)
                                                          else hub)))
    missed: list[str] = []
    for address in hubs:
        try:
            return _peek(address, token, fingerprint, trust_on_first_use)
        except HubUnreachable as exc:
            if len(hubs) == 1:
                raise
            missed.append(str(exc))
    raise HubUnreachable(f"no address of the hub answered ({'; '.join(missed)})")


def _peek(hub: str, token: str, fingerprint: str | None, trust_on_first_use: bool) -> Peek:
    import httpx

    pinning = None
    if hub.lower().startswith("https://"):
        if not (fingerprint or trust_on_first_use):
            raise SyncError(f"{hub} uses TLS but this desk knows no fingerprint of its "
                            "certificate: pair it with the hub's code (`checkin sync --pair`), "
                            "or add --fingerprint SHA256 (shown by `checkin hub serve`) or "
                            "--trust-on-first-use")
        pinning = tls.pinned_context(tls.normalise_fingerprint(fingerprint)
                                     if fingerprint else None)
    timeout = httpx.Timeout(20.0, connect=3.0, pool=3.0)
    try:
        with httpx.Client(base_url=hub, timeout=timeout, trust_env=False,
                          follow_redirects=False,
                          verify=pinning if pinning is not None else True,
                          headers={"Authorization": f"Bearer {token.strip()}"}) as client:
            answer = client.get(protocol.API + "/status")
    except httpx.HTTPError as exc:
        changed = pinning.changed if pinning is not None else None
        if changed is not None:  # worded as sync_once words it (checkin.sync.client)
            got = tls.short_fingerprint(changed.got) if changed.got else "no certificate"
            raise SyncError(f"the hub's certificate is not the expected one (expected "
                            f"{tls.short_fingerprint(changed.expected)}, got {got}): check "
                            "the fingerprint `checkin hub serve` shows, or pair this desk "
                            "with the hub's current code") from None
        raise HubUnreachable(f"hub {hub} unreachable: {reason(exc)}") from None
    if answer.status_code == 401:
        raise SyncError("the hub refused this station's token (revoked or wrong)")
    try:
        data = answer.json()
    except ValueError:
        data = None
    if answer.status_code != 200 or not isinstance(data, dict):
        raise SyncError(f"hub {hub} answered {answer.status_code} to /status")
    encrypted = data.get("encrypted") is True
    log.info("hub %s: its database is %s", hub, "encrypted" if encrypted else "plain")
    return Peek(encrypted, pinning.expected if pinning is not None else None)
