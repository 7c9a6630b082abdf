"""Revoking a key (`checkin keys rotate --revoke-old`) revokes every form its tokens'
references can take: the signed token, the unsigned `CK0` + ref form, either inside a
URL or typed through a keyboard layout. New confirmations then admit."""

from checkin import keys, tokens
from checkin.admission import CANCELLED, INVALID_SIGNATURE, OK
from checkin.store import Store
from tests.test_admission_support import DAY1, DAY2, make_event


def test_every_form_of_a_revoked_keys_refs_is_refused(tmp_path):
    ev = make_event(tmp_path / "event.sqlite")
    old = {a.id: a.ref for a in ev.store.all_attendees()}
    signed = ev.token("a1")
    keys.rotate_key(ev.store, ev.path, revoke_old=True)
    engine = ev.engine()
    assert engine.scan(signed, day=DAY1).verdict == INVALID_SIGNATURE
    unsigned = tokens.unsigned(old["a1"])
    for form in (unsigned, f"https://example.org/c/{unsigned}", unsigned.lower(),
                 f"https://example.org/checkin?code={unsigned}"):
        verdict = engine.scan(form, day=DAY1)
        assert verdict.verdict == CANCELLED, (form, verdict)
        assert verdict.attendee is not None and verdict.attendee.id == "a1"
    # Every attendee has a fresh ref (cancelled ones too), logged with the reason.
    fresh = {a.id: a.ref for a in ev.store.all_attendees()}
    assert all(fresh[i] != old[i] and tokens.valid_ref(fresh[i]) for i in old)
    renewed = ev.store.events(types=("token_revoked",))
    assert {e.attendee_id for e in renewed} == set(old)
    assert all("revoked" in e.payload["reason"] for e in renewed)
    # The new key's confirmations admit, and so does the unsigned form of the new ref.
    signer = keys.load_signer(ev.store, ev.path)
    assert signer is not None
    assert engine.scan(signer.sign(fresh["a1"]), day=DAY1).verdict == OK
    assert engine.scan(tokens.unsigned(fresh["a2"]), day=DAY1).verdict == OK


def test_rotation_without_revoking_keeps_every_ref(tmp_path):
    ev = make_event(tmp_path / "event.sqlite")
    old = {a.id: a.ref for a in ev.store.all_attendees()}
    unsigned = tokens.unsigned(old["a1"])
    keys.rotate_key(ev.store, ev.path)
    assert {a.id: a.ref for a in Store(ev.store.db).all_attendees()} == old
    assert ev.engine().scan(unsigned, day=DAY2).verdict == OK
