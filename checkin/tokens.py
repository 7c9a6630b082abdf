"""Signed QR confirmation tokens: the format, signing and verification (no database).

Format (version 1), 122 characters, uppercase, QR alphanumeric (in fact only 0-9 A-Z)::

    CK 1 KKKK RRRRRRRRRRRR SSSS...(103)
    |  | |    |            +-- Ed25519 signature, 64 bytes, base32 (canonical: the 3
    |  | |    |                padding bits of the last character must be zero)
    |  | |    +-- the attendee's opaque ref (60 random bits; store.new_ref), base32
    |  | +-- key id (4 chars, the first 20 bits of SHA-256 of the public key; checkin.keys)
    |  +-- version
    +-- prefix

base32 here uses the alphabet ``0-9 A-H J-N P-X``: no I/O, and no Y/Z. Why no Y and Z: a
German keyboard swaps them, and the engine repairs that; had a token exactly one Y, the
single-character change Y->Z would be the German reading of the genuine token and would
verify. Without Y/Z no single-character change of a token equals a layout image of it
(AZERTY maps every digit, and the prefix has one; Caps Lock maps every letter), so every
single-character change is rejected. The ref is stored in Crockford base32 and re-spelt.

The signature covers ``b"CHECKIN-TOKEN/1|" + key_id + b"|" + ref`` (domain-separated, so
no other message signed with the key can pass as a token). A token carries no personal
data; verification needs only the public keys listed in the database. Ed25519 signatures
are deterministic: one key and one ref always give the same token.

Measured with the qrcode package (alphanumeric mode): 122 characters fit QR version 5
(37x37 modules) at error correction L or M (M is what `checkin confirmations` uses),
version 7 (45x45) at Q, version 8 (49x49) at H.

An unsigned form ``CK0`` + ref (15 characters) exists for stations without the private
key (see checkin.confirmations.qr_text_for); the engine accepts it only as an exact ref
match, so it is as strong as the 60-bit random ref, like an upstream ticket secret.

Choices made for scanning: only digits and uppercase letters (no symbol that a keyboard
layout or a URL would mangle); strict decoding (no I->1/O->0 leniency), so that
every single-character change of a token is rejected; a token whose key id is not in the
database answers `invalid_signature` (it looks like ours but cannot be verified: another
event's key, or a key this station has not received yet; the message says which).

Which tokens were issued and which refs are revoked is the event database's business:
checkin.confirmations. This module knows nothing of the database, so the key store
(checkin.keys) and the engine can both build on it.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checkin.errors import CheckinError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

# The token's base32 alphabet: digits and letters except I, O (read as 1, 0) and Y, Z
# (a German keyboard swaps them: see "Why no Y and Z" in the module docstring).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWX"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # attendee refs: Crockford (store.new_ref)
_REF_INDEX = {ch: i for i, ch in enumerate(REF_ALPHABET)}
PREFIX = "CK"
SIGNED_VERSION = "1"
UNSIGNED_VERSION = "0"
KEY_ID_LENGTH = 4
REF_LENGTH = 12
SIGNATURE_BYTES = 64
SIGNATURE_CHARS = 103  # ceil(512 / 5)
TOKEN_LENGTH = len(PREFIX) + 1 + KEY_ID_LENGTH + REF_LENGTH + SIGNATURE_CHARS  # 122
UNSIGNED_LENGTH = len(PREFIX) + 1 + REF_LENGTH  # 15
QR_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


class TokenError(ValueError):
    """Looks like one of our tokens, but is not well-formed."""


@dataclass(frozen=True)
class Token:
    version: str
    ref: str
    key_id: str = ""
    signature: bytes = b""

    @property
    def signed(self) -> bool:
        return self.version == SIGNED_VERSION

    @property
    def text(self) -> str:
        if not self.signed:
            return PREFIX + UNSIGNED_VERSION + encode_ref(self.ref)
        return (PREFIX + SIGNED_VERSION + self.key_id + encode_ref(self.ref)
                + encode_signature(self.signature))


def in_alphabet(text: str) -> bool:
    return all(ch in _INDEX for ch in text)


def valid_ref(ref: str) -> bool:
    """An attendee ref that fits a token: 12 Crockford base32 characters."""
    return len(ref) == REF_LENGTH and all(ch in _REF_INDEX for ch in ref)


def encode_base32(value: int, chars: int, alphabet: str = ALPHABET) -> str:
    out = []
    for _ in range(chars):
        out.append(alphabet[value & 31])
        value >>= 5
    return "".join(reversed(out))


def _decode_base32(text: str, index: dict[str, int]) -> int:
    value = 0
    for ch in text:
        value = (value << 5) | index[ch]
    return value


def encode_ref(ref: str) -> str:
    """The ref's 60 bits, re-spelt in the token alphabet (same length)."""
    return encode_base32(_decode_base32(ref, _REF_INDEX), REF_LENGTH)


def decode_ref(text: str) -> str:
    return encode_base32(_decode_base32(text, _INDEX), REF_LENGTH, REF_ALPHABET)


def encode_signature(signature: bytes) -> str:
    pad = SIGNATURE_CHARS * 5 - len(signature) * 8  # 3 zero bits at the end
    return encode_base32(int.from_bytes(signature, "big") << pad, SIGNATURE_CHARS)


def decode_signature(text: str) -> bytes:
    if len(text) != SIGNATURE_CHARS or not in_alphabet(text):
        raise TokenError("signature part is not base32")
    value = _decode_base32(text, _INDEX)
    pad = SIGNATURE_CHARS * 5 - SIGNATURE_BYTES * 8
    if value & ((1 << pad) - 1):
        raise TokenError("signature part is not canonical")
    return (value >> pad).to_bytes(SIGNATURE_BYTES, "big")


def key_id_for(public_raw: bytes) -> str:
    """A short id for a public key: the first 20 bits of its SHA-256, in the token alphabet."""
    digest = int.from_bytes(hashlib.sha256(public_raw).digest()[:4], "big")
    return encode_base32(digest >> (32 - 5 * KEY_ID_LENGTH), KEY_ID_LENGTH)


def signed_message(key_id: str, ref: str) -> bytes:
    return f"CHECKIN-TOKEN/{SIGNED_VERSION}|{key_id}|{ref}".encode("ascii")


def looks_like_token(text: str) -> bool:
    """Our prefix and a version digit: then a failure to verify is `invalid_signature`."""
    return len(text) >= UNSIGNED_LENGTH and text.startswith(PREFIX) and text[2].isdigit()


def parse(text: str) -> Token | None:
    """The token in text; None if text is not shaped like one of ours; TokenError if broken."""
    if not looks_like_token(text):
        return None
    version = text[len(PREFIX)]
    body = text[len(PREFIX) + 1:]
    if version == UNSIGNED_VERSION:
        if len(body) != REF_LENGTH or not in_alphabet(body):
            raise TokenError("unsigned token with a malformed ref")
        return Token(UNSIGNED_VERSION, decode_ref(body))
    if version != SIGNED_VERSION:
        raise TokenError(f"unsupported token version {version}")
    if len(text) != TOKEN_LENGTH:
        raise TokenError(f"token has {len(text)} characters, not {TOKEN_LENGTH}")
    key_id, body = body[:KEY_ID_LENGTH], body[KEY_ID_LENGTH:]
    ref, sig = body[:REF_LENGTH], body[REF_LENGTH:]
    if not (in_alphabet(key_id) and in_alphabet(ref)):
        raise TokenError("token has characters outside its alphabet")
    return Token(SIGNED_VERSION, decode_ref(ref), key_id, decode_signature(sig))


def verify(token: Token, public_keys: Mapping[str, "Ed25519PublicKey"]) -> bool:
    """True if token is signed and its signature verifies with the key its key id names."""
    from cryptography.exceptions import InvalidSignature

    key = public_keys.get(token.key_id)
    if key is None or not token.signed:
        return False
    try:
        key.verify(token.signature, signed_message(token.key_id, token.ref))
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class Signer:
    """A private key with its id: makes tokens. Only where the key file is."""

    key_id: str
    private_key: "Ed25519PrivateKey"

    def sign(self, ref: str) -> str:
        if not valid_ref(ref):
            raise CheckinError(f"attendee ref {ref!r} cannot go into a token")
        signature = self.private_key.sign(signed_message(self.key_id, ref))
        return Token(SIGNED_VERSION, ref, self.key_id, signature).text


def unsigned(ref: str) -> str:
    return Token(UNSIGNED_VERSION, ref).text
