"""TLS between the desks and the hub: certificate fingerprints, the hub's self-signed
certificate, and the desk's pinned connection (docs/sync.md, "TLS and pinning").

Contract:

- Fingerprints are the SHA-256 of a certificate's DER bytes. ``normalise_fingerprint``
  turns what a person types or a tool prints (``SHA256 AB:CD:...``, ``sha256:abcd...``,
  OpenSSL's ``sha256 Fingerprint=AB:CD:...``, plain hex) into the canonical form, 64
  lowercase hex digits, or raises CheckinError in one line; ``display_fingerprint`` gives
  ``SHA256 ab:cd:...`` (what `checkin hub serve` shows), ``short_fingerprint`` its first
  eight bytes for a one-line message.
- ``fingerprint_of_file(path)``: the fingerprint of the first certificate in a PEM file
  (the hub's own; the leaf of a chain). Standard library only.
- ``ensure_self_signed(db_path, host) -> SelfSigned``: the hub's self-signed certificate
  beside its database (``DB.hub-cert.pem``, key ``DB.hub-key.pem`` mode 0600), made once
  with ``cryptography`` for host (and localhost, 127.0.0.1, ::1; for a wildcard host this
  machine's name and address) and reused on every later start, whatever --host is then:
  desks pin its fingerprint, so a new certificate means pairing every desk again.
- ``pinned_context(fingerprint) -> PinnedContext``: an SSL context for httpx that skips
  CA and host name validation and instead checks, right after every handshake and before
  a byte of HTTP is sent, that the server's certificate has this fingerprint; a different
  one raises ``CertificateChanged`` (an ssl.SSLError, so httpx reports a ConnectError) and
  is kept in ``context.changed``. fingerprint None is trust on first use: the first
  certificate seen is pinned for the rest of the context's life (``context.expected``).
- ``lan_address()``: the address this machine has on the network its default route uses.

Why pinning and no CA: a venue hub has no name a public CA would certify, and a desk
knows exactly one server. The fingerprint travels with the token in the pairing code
(checkin.sync.pairing), so the desk trusts exactly the certificate the organiser showed it.
"""

import hashlib
import ipaddress
import logging
import os
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checkin.errors import CheckinError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

log = logging.getLogger(__name__)

CERT_DAYS = 3650  # desks ignore validity dates (they pin); ten years outlives any event
_HEX = re.compile(r"^[0-9a-f]{64}$")
_PREFIXES = ("sha256 fingerprint=", "sha256 fingerprint:", "sha256:", "sha256=", "sha256")


# -- fingerprints ---------------------------------------------------------------------------


def fingerprint_of_der(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def normalise_fingerprint(text: str) -> str:
    """64 lowercase hex digits from a fingerprint as people and tools write it."""
    value = text.strip().lower()
    for prefix in _PREFIXES:
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    value = re.sub(r"[\s:\-]", "", value)
    if not _HEX.match(value):
        shown = text.strip()[:24] + ("..." if len(text.strip()) > 24 else "")
        raise CheckinError(f"{shown!r} is not a SHA-256 certificate fingerprint (64 hex "
                           "digits, as `checkin hub serve` shows it)")
    return value


def display_fingerprint(fingerprint: str) -> str:
    """``SHA256 ab:cd:...``: the form `checkin hub serve` and `hub add-station` show."""
    return "SHA256 " + ":".join(fingerprint[i:i + 2] for i in range(0, len(fingerprint), 2))


def short_fingerprint(fingerprint: str) -> str:
    """The first eight bytes, for a message that must stay one line."""
    return display_fingerprint(fingerprint[:16]) + "..."


def fingerprint_of_file(path: Path) -> str:
    """The fingerprint of the first certificate in a PEM file; CheckinError if none."""
    try:
        text = Path(path).read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise CheckinError(f"cannot read the TLS certificate {path}: {exc.strerror}") from None
    match = re.search(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", text,
                      re.DOTALL)
    if match is None:
        raise CheckinError(f"{path} holds no PEM certificate")
    try:
        der = ssl.PEM_cert_to_DER_cert(match.group(0))
    except ValueError:
        raise CheckinError(f"{path} holds a damaged PEM certificate") from None
    return fingerprint_of_der(der)


# -- the hub's self-signed certificate ------------------------------------------------------


@dataclass(frozen=True)
class SelfSigned:
    cert: Path
    key: Path
    fingerprint: str
    created: bool  # made by this call (else reused)


def self_signed_paths(db_path: Path) -> tuple[Path, Path]:
    """(certificate, private key) beside the hub's database."""
    db_path = Path(db_path)
    return (db_path.with_name(db_path.name + ".hub-cert.pem"),
            db_path.with_name(db_path.name + ".hub-key.pem"))


def lan_address() -> str:
    """This machine's address towards its default route; its host name if it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP connect sends nothing
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname() or "127.0.0.1"


def is_wildcard(host: str) -> bool:
    return host in ("", "0.0.0.0", "::", "[::]")


_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _subject_names(host: str) -> tuple[list[str], list[_Address]]:
    candidates = ["localhost", "127.0.0.1", "::1"]
    if is_wildcard(host):
        candidates += [socket.gethostname(), lan_address()]
    else:
        candidates.append(host.strip("[]"))
    names: list[str] = []
    addresses: list[_Address] = []
    for candidate in candidates:
        if not candidate:
            continue
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            try:
                name = candidate.encode("idna").decode("ascii").lower()
            except UnicodeError:
                continue
            if name not in names:
                names.append(name)
            continue
        if not address.is_unspecified and address not in addresses:
            addresses.append(address)
    return names, addresses


def _write_private(path: Path, data: bytes) -> None:
    """A new file readable by its owner only, on disk before this returns; O_EXCL: a
    second hub starting at the same moment fails here instead of both writing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _owner_only(path: Path) -> None:
    if os.name == "posix" and path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # copied with looser rights: owner only again
        log.warning("hub: %s was readable by others: made owner-only", path)


def ensure_self_signed(db_path: Path, host: str) -> SelfSigned:
    """The hub's self-signed certificate, made on first use (see the module docstring)."""
    cert_path, key_path = self_signed_paths(db_path)
    if cert_path.exists():
        if not key_path.exists():
            raise CheckinError(f"the TLS certificate {cert_path} has no key {key_path.name} "
                               "beside it: move the certificate away to make a new one (every "
                               "desk must then pair again)")
        _owner_only(key_path)
        fingerprint = fingerprint_of_file(cert_path)
        log.info("hub: reusing the self-signed TLS certificate %s (%s)", cert_path,
                 display_fingerprint(fingerprint))
        return SelfSigned(cert_path, key_path, fingerprint, created=False)
    key = _load_or_make_key(key_path)
    pem = _certificate(key, host)
    tmp = cert_path.with_name(cert_path.name + ".new")
    try:
        tmp.write_bytes(pem)
        os.replace(tmp, cert_path)
    except OSError as exc:
        raise CheckinError(f"cannot write the TLS certificate {cert_path}: "
                           f"{exc.strerror}") from None
    fingerprint = fingerprint_of_file(cert_path)
    log.info("hub: made a self-signed TLS certificate %s for %s (%s)", cert_path, host,
             display_fingerprint(fingerprint))
    return SelfSigned(cert_path, key_path, fingerprint, created=True)


def _load_or_make_key(key_path: Path) -> "EllipticCurvePrivateKey":
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    if key_path.exists():  # a start that stopped between key and certificate
        _owner_only(key_path)
        try:
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError):
            raise CheckinError(f"{key_path} is not a usable TLS key: move it away to make a "
                               "new one") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise CheckinError(f"{key_path} is not the EC key `hub serve --tls-self-signed` "
                               "makes: move it away to make a new one")
        return key
    # P-256: every TLS client speaks it, and making one takes a millisecond.
    key = ec.generate_private_key(ec.SECP256R1())
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    try:
        key_path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(key_path, data)
    except FileExistsError:
        return _load_or_make_key(key_path)  # another start made it first: use theirs
    except OSError as exc:
        raise CheckinError(f"cannot write the TLS key {key_path}: {exc.strerror}") from None
    return key


def _certificate(key: "EllipticCurvePrivateKey", host: str) -> bytes:
    import datetime as dt
    import secrets

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    names, addresses = _subject_names(host)
    alternative: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alternative += [x509.IPAddress(a) for a in addresses]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "checkin hub")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)  # a desk clock behind
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=CERT_DAYS))
            .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def check_server_files(cert: Path, key: Path) -> str:
    """The certificate's fingerprint if cert and key load as a TLS server pair; else
    CheckinError in one line (uvicorn would stop with a traceback)."""
    for path in (cert, key):
        if not Path(path).is_file():
            raise CheckinError(f"no TLS file at {path}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(str(cert), str(key))
    except ssl.SSLError as exc:
        raise CheckinError(f"the TLS certificate {cert} and key {key} do not go together "
                           f"or are not PEM ({exc.reason or exc})") from None
    except OSError as exc:
        raise CheckinError(f"cannot read the TLS files {cert}, {key}: {exc.strerror}") from None
    return fingerprint_of_file(cert)


# -- the desk's pinned connection -----------------------------------------------------------


class CertificateChanged(ssl.SSLError):
    """The server's certificate is not the pinned one; nothing was sent to it."""

    def __init__(self, expected: str, got: str) -> None:
        super().__init__(f"certificate {short_fingerprint(got) if got else 'missing'} is not "
                         f"the pinned {short_fingerprint(expected)}")
        self.expected = expected
        self.got = got


class _PinnedSocket(ssl.SSLSocket):
    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        context = self.context
        if isinstance(context, PinnedContext):
            context.check(self.getpeercert(binary_form=True))


class PinnedContext(ssl.SSLContext):
    """Client context that trusts one certificate by fingerprint (see the module doc)."""

    sslsocket_class = _PinnedSocket
    expected: str | None = None
    changed: CertificateChanged | None = None

    def check(self, der: bytes | None) -> None:
        got = fingerprint_of_der(der) if der else ""
        if self.expected is None and got:
            self.expected = got  # trust on first use: this one from now on
            log.warning("sync: trusting the hub's TLS certificate on first use: %s",
                        display_fingerprint(got))
            return
        if got != self.expected:
            self.changed = CertificateChanged(self.expected or "", got)
            raise self.changed


def pinned_context(fingerprint: str | None) -> PinnedContext:
    context = PinnedContext(ssl.PROTOCOL_TLS_CLIENT)
    # No CA and no host name checks: the fingerprint check after the handshake replaces
    # both, and a desk may reach the hub by any of its addresses.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.expected = normalise_fingerprint(fingerprint) if fingerprint else None
    return context
