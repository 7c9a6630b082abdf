"""Token format, signing, verification and forgery (the database side: test_confirmations)."""

import string
import subprocess
import sys

import pytest

from checkin import keys, tokens
from checkin.admission import INVALID_SIGNATURE, MALFORMED, OK, UNKNOWN
from checkin.store import new_ref
from tests.test_admission_support import DAY1, make_event


@pytest.fixture
def ev(tmp_path):
    return make_event(tmp_path / "event.sqlite")


def test_format(ev):
    token = ev.token("a1")
    assert len(token) == tokens.TOKEN_LENGTH == 122
    assert token.startswith("CK1" + ev.signer.key_id)
    assert set(token) <= set(tokens.QR_ALPHANUMERIC)
    assert token == token.upper()
    assert not set(token) & set("IOYZ")
    parsed = tokens.parse(token)
    assert parsed.ref == ev.store.attendee("a1").ref
    assert parsed.key_id == ev.signer.key_id and len(parsed.signature) == 64
    assert parsed.text == token


def test_deterministic_and_distinct(ev):
    assert ev.token("a1") == ev.token("a1")
    assert ev.token("a1") != ev.token("a2")


def test_qr_is_version_5_at_level_m(ev):
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(ev.token("a1"))
    code.make(fit=True)
    assert code.data_list[0].mode == 2  # alphanumeric
    assert code.version == 5


@pytest.mark.parametrize("ref", ["0123456789AB", "ZZZZZZZZZZZZ", "000000000000", new_ref()])
def test_ref_respelling_round_trips(ref):
    spelt = tokens.encode_ref(ref)
    assert len(spelt) == 12 and tokens.in_alphabet(spelt)
    assert tokens.decode_ref(spelt) == ref


def test_signer_refuses_refs_that_do_not_fit(ev):
    from checkin.errors import CheckinError

    for ref in ("", "short", "0123456789ABC", "0123456789AU", "0123456789a!"):
        with pytest.raises(CheckinError):
            ev.signer.sign(ref)


def test_signature_padding_must_be_canonical(ev):
    token = ev.token("a1")
    for ch in tokens.ALPHABET:
        altered = token[:-1] + ch
        if altered == token:
            continue
        try:
            parsed = tokens.parse(altered)
        except tokens.TokenError:
            continue
        assert not tokens.verify(parsed, keys.public_keys(ev.store))


# Every character a scanner or a keyboard could plausibly produce in place of one.
FORGE_ALPHABET = sorted(set(
    tokens.QR_ALPHANUMERIC + string.ascii_lowercase + string.punctuation
    + "ßÖöÄäÜü´§°éèçàù²µ£¨ÉÈÇÀ\t\x00\u00a0"))


def test_every_single_character_change_is_rejected(ev):
    """Exhaustive: every position, every replacement: never ok (and never another person)."""
    engine = ev.engine()
    token = ev.token("a1")
    seen = set()
    for position in range(len(token)):
        for ch in FORGE_ALPHABET:
            if ch == token[position]:
                continue
            forged = token[:position] + ch + token[position + 1:]
            verdict = engine.scan(forged, day=DAY1)
            seen.add(verdict.verdict)
            assert verdict.verdict in (INVALID_SIGNATURE, MALFORMED), (position, ch, verdict)
            assert verdict.attendee is None
    assert INVALID_SIGNATURE in seen
    assert ev.store.admission("a1", DAY1) is None


def test_dropped_and_doubled_characters_are_rejected(ev):
    engine = ev.engine()
    token = ev.token("a1")
    for position in range(len(token)):
        for forged in (token[:position] + token[position + 1:],
                       token[:position] + token[position] + token[position:]):
            assert engine.scan(forged, day=DAY1).verdict in (INVALID_SIGNATURE, MALFORMED, UNKNOWN)
    assert ev.store.admission("a1", DAY1) is None


def test_ref_swapped_into_another_token_is_rejected(ev):
    """Splice a2's ref into a1's signed token: the signature no longer covers it."""
    token = ev.token("a1")
    other = ev.token("a2")
    spliced = token[:7] + other[7:19] + token[19:]
    assert ev.engine().scan(spliced, day=DAY1).verdict == INVALID_SIGNATURE


def test_other_events_key_is_invalid_signature(ev, tmp_path):
    other = make_event(tmp_path / "other.sqlite")
    ref = ev.store.attendee("a1").ref
    foreign = other.signer.sign(ref)  # a genuine token of another event, same ref even
    verdict = ev.engine().scan(foreign, day=DAY1)
    assert verdict.verdict == INVALID_SIGNATURE
    assert other.signer.key_id in verdict.message


def test_same_key_id_but_other_key_is_invalid_signature(ev):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    impostor = tokens.Signer(ev.signer.key_id, Ed25519PrivateKey.generate())
    forged = impostor.sign(ev.store.attendee("a1").ref)
    assert ev.engine().scan(forged, day=DAY1).verdict == INVALID_SIGNATURE


def test_revoked_key_stops_verifying(ev):
    old = ev.token("a1")
    keys.rotate_key(ev.store, ev.path, revoke_old=True)
    assert ev.engine().scan(old, day=DAY1).verdict == INVALID_SIGNATURE


def test_unsigned_form_is_exact_ref_only(ev):
    engine = ev.engine()
    unsigned = tokens.unsigned(ev.store.attendee("a2").ref)
    for position in range(3, len(unsigned)):
        for ch in tokens.ALPHABET:
            if ch != unsigned[position]:
                forged = unsigned[:position] + ch + unsigned[position + 1:]
                assert engine.scan(forged, day=DAY1).verdict != OK
    assert engine.scan(unsigned, day=DAY1).verdict == OK
    # An unsigned form proves nothing: an unknown one is an unknown code, not a "valid
    # confirmation" of somebody else's list.
    stranger = engine.scan(tokens.unsigned("0123456789AB"), day=DAY1)
    assert stranger.verdict == UNKNOWN and stranger.message == "No attendee has this code."


def test_the_token_module_needs_no_database():
    """Format and crypto only: the key store and the engine build on it, not the reverse."""
    code = ("import sys, checkin.tokens\n"
            "print(','.join(m for m in ('sqlite3', 'checkin.db', 'checkin.store', 'checkin.keys')"
            " if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
