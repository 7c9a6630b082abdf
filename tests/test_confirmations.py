"""checkin.confirmations (issue, record, revoke, what a QR carries) and its CLI command."""

import csv

import pytest

from checkin import confirmations, keys, tokens
from checkin.admission import CANCELLED, OK
from checkin.confirmations import file_stem
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.paths import key_path
from checkin.store import Store
from tests.conftest import run_checkin
from tests.test_admission_support import DAY1, PEOPLE, make_event


def decode_png(path):
    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(path))]


@pytest.fixture
def ev(tmp_path):
    people = [*PEOPLE, Attendee(id="../etc/passwd", given_name="Eve"),
              Attendee(id="=HYPERLINK()", given_name="Mal")]
    return make_event(tmp_path / "event.sqlite", people)


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_png_and_csv_for_a_mail_merge(ev, run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("confirmations", "--out", str(out), "--no-pdf", db=ev.path)
    assert result.exit_code == 0, result.output
    assert "1 cancelled skipped" in result.output
    rows = read_csv(out / "confirmations.csv")
    assert list(rows[0]) == ["attendee_id", "token", "file"]
    assert not list(out.glob("*.pdf"))
    ids = {r["attendee_id"] for r in rows}
    assert "a6" not in ids and "a1" in ids and "'=HYPERLINK()" in ids  # formula neutralised
    engine = ev.engine()
    for row in rows:
        png = out / row["file"]
        assert png.parent == out and png.exists()
        assert decode_png(png) == [row["token"]]
        assert len(row["token"]) == tokens.TOKEN_LENGTH
        if row["attendee_id"] in ("a1", "a2", "a4"):
            verdict = engine.scan(row["token"], day=DAY1)
            assert verdict.verdict == OK and verdict.attendee.id == row["attendee_id"]
    assert not list(tmp_path.glob("etc*")) and not (tmp_path / "passwd.png").exists()


def test_ids_selects_and_unknown_ids_fail(ev, run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("confirmations", "--out", str(out), "--ids", "a2, a1", "--no-pdf",
                     db=ev.path)
    assert result.exit_code == 0, result.output
    assert [r["attendee_id"] for r in read_csv(out / "confirmations.csv")] == ["a2", "a1"]
    assert sorted(p.name for p in out.glob("*.png")) == ["a1.png", "a2.png"]
    bad = run_checkin("--db", str(ev.path), "confirmations", "--out", str(out),
                      "--ids", "a1,zz9")
    assert bad.returncode == 1 and bad.stderr.strip() == "error: no attendee with id zz9"


def test_issued_tokens_are_recorded_for_stations_without_the_key(ev, run_cli, tmp_path):
    run_cli("confirmations", "--out", str(tmp_path / "out"), "--ids", "a2", "--no-pdf",
            db=ev.path)
    issued = ev.token("a2")
    key_path(ev.path).unlink()
    assert confirmations.qr_text_for(ev.store, ev.path)(ev.store.attendee("a2")) == issued


def test_station_without_the_key_gets_one_line(ev, tmp_path):
    key_path(ev.path).unlink()
    result = run_checkin("--db", str(ev.path), "confirmations", "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: no signing key")
    assert len(result.stderr.splitlines()) == 1


def test_file_names_are_safe_and_distinct():
    names = {file_stem(i) for i in ("a/b", "a_b", "a:b", "a b", "..", "", "Ünï")}
    assert len(names) == 7
    for name in names:
        assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert file_stem("A-12_x.y") == "A-12_x.y"


def test_pdf_page_per_attendee(ev, run_cli, tmp_path):
    import pypdfium2 as pdfium
    import zxingcpp

    out = tmp_path / "out"
    result = run_cli("confirmations", "--out", str(out), "--ids", "a3,a1", db=ev.path)
    assert result.exit_code == 0, result.output
    rows = read_csv(out / "confirmations.csv")
    for row in rows:
        pdf = pdfium.PdfDocument(str(out / row["file"].replace(".png", ".pdf")))
        assert len(pdf) == 1
        image = pdf[0].render(scale=2).to_pil()
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [row["token"]]
        pdf.close()


# -- the core: checkin.confirmations ----------------------------------------------------

def test_revoked_token_is_cancelled_and_a_new_one_works(ev):
    old = ev.token("a1")
    confirmations.revoke(ev.store, "a1", reason="lost phone")
    engine = ev.engine()
    verdict = engine.scan(old, day=DAY1)
    assert verdict.verdict == CANCELLED and verdict.attendee.id == "a1"
    assert "revoked" in verdict.message
    assert engine.scan(ev.token("a1"), day=DAY1).verdict == OK
    logged = ev.store.events("a1", types=(confirmations.TOKEN_REVOKED,))
    assert logged[0].payload["reason"] == "lost phone"
    assert ev.store.admission("a1", DAY1).payload["method"] == "scan"
    confirmations.revoke(ev.store, "a1", reason="\u202eshared\x00 on social media")
    logged = ev.store.events("a1", types=(confirmations.TOKEN_REVOKED,))
    assert logged[-1].payload["reason"] == "shared on social media"


def test_qr_text_with_the_key_is_a_signed_token(ev):
    text_for = confirmations.qr_text_for(ev.store, ev.path)
    attendee = ev.store.attendee("a1")
    assert text_for(attendee) == ev.token("a1")


def test_qr_text_without_the_key(ev):
    with ev.store.transaction():
        confirmations.record_issued(ev.store, ev.store.attendee("a1"), ev.token("a1"))
    issued = ev.token("a1")
    key_path(ev.path).rename(ev.path.parent / "elsewhere.key")
    station = Store(ev.store.db)
    text_for = confirmations.qr_text_for(station, ev.path)
    assert text_for(station.attendee("a1")) == issued  # what the delegate was mailed
    assert text_for(station.attendee("a4")) == "1234567890123456789"  # unique upstream code
    unsigned = text_for(station.attendee("a2"))  # shared order code: the unsigned form
    assert unsigned.startswith("CK0") and len(unsigned) == tokens.UNSIGNED_LENGTH
    engine = ev.engine()
    for attendee_id in ("a1", "a4", "a2"):
        verdict = engine.scan(text_for(station.attendee(attendee_id)), day=DAY1)
        assert verdict.verdict == OK and verdict.attendee.id == attendee_id


def test_recorded_token_of_a_revoked_ref_is_not_reused(ev):
    with ev.store.transaction():
        confirmations.record_issued(ev.store, ev.store.attendee("a4"), ev.token("a4"))
    confirmations.revoke(ev.store, "a4")
    key_path(ev.path).unlink()
    text = confirmations.qr_text_for(ev.store, ev.path)(ev.store.attendee("a4"))
    assert text == "1234567890123456789"


def test_issue_writes_records_and_skips_the_cancelled(ev, tmp_path):
    people = [ev.store.attendee(i) for i in ("a1", "a6", "../etc/passwd")]
    issued = confirmations.issue(ev.store, ev.path, people, tmp_path / "out", pdf=False)
    assert issued.skipped_cancelled == ["a6"]
    assert set(issued.tokens) == {"a1", "../etc/passwd"}
    assert issued.tokens["a1"] == ev.token("a1")
    assert [r["attendee_id"] for r in read_csv(issued.csv_path)] == ["a1", "../etc/passwd"]
    assert sorted(p.suffix for p in issued.folder.iterdir()) == [".csv", ".png", ".png"]
    for attendee_id, token in issued.tokens.items():
        assert confirmations.recorded_token(ev.store, ev.store.attendee(attendee_id)) == token
    assert confirmations.recorded_token(ev.store, ev.store.attendee("a2")) is None


def test_issue_without_the_key_writes_nothing(ev, tmp_path):
    key_path(ev.path).unlink()
    with pytest.raises(CheckinError, match="no signing key"):
        confirmations.issue(ev.store, ev.path, [ev.store.attendee("a1")], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_issue_into_a_folder_that_cannot_be_made(ev, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CheckinError, match="cannot create"):
        confirmations.issue(ev.store, ev.path, [ev.store.attendee("a1")], blocker / "out")
    assert confirmations.recorded_token(ev.store, ev.store.attendee("a1")) is None


def test_record_issued_ignores_what_is_not_a_signed_token(ev):
    attendee = ev.store.attendee("a1")
    with ev.store.transaction():
        confirmations.record_issued(ev.store, attendee, tokens.unsigned(attendee.ref))
        confirmations.record_issued(ev.store, attendee, "https://example.org/ticket")
    assert confirmations.recorded_token(ev.store, attendee) is None


def test_recorded_token_of_a_revoked_key_is_not_reused(ev):
    attendee = ev.store.attendee("a1")
    with ev.store.transaction():
        confirmations.record_issued(ev.store, attendee, ev.token("a1"))
    keys.rotate_key(ev.store, ev.path, revoke_old=True)
    assert confirmations.recorded_token(ev.store, attendee) is None


def test_is_revoked_names_the_attendee_only_for_revoked_refs(ev):
    old = ev.store.attendee("a1").ref
    assert confirmations.is_revoked(ev.store, old) is None
    fresh = confirmations.revoke(ev.store, "a1")
    assert fresh != old and ev.store.attendee("a1").ref == fresh
    assert confirmations.is_revoked(ev.store, old) == "a1"
    assert confirmations.is_revoked(ev.store, fresh) is None
    assert confirmations.is_revoked(ev.store, "0123456789AB") is None


def test_revoke_of_an_unknown_attendee_changes_nothing(ev):
    before = len(ev.store.events(None, types=(confirmations.TOKEN_REVOKED,)))
    with pytest.raises(CheckinError, match="no attendee with id 'zz9'"):
        confirmations.revoke(ev.store, "zz9", reason="typo")
    assert len(ev.store.events(None, types=(confirmations.TOKEN_REVOKED,))) == before
    assert ev.store.db.execute("SELECT count(*) FROM revoked_refs").fetchone()[0] == 0


def test_qr_text_with_a_key_of_another_event_falls_back(ev, tmp_path):
    """A key file that is not this event's signs nothing: the recorded token is used."""
    with ev.store.transaction():
        confirmations.record_issued(ev.store, ev.store.attendee("a1"), ev.token("a1"))
    other = make_event(tmp_path / "other.sqlite")
    key_path(ev.path).write_bytes(key_path(other.path).read_bytes())
    text_for = confirmations.qr_text_for(ev.store, ev.path)
    assert text_for(ev.store.attendee("a1")) == ev.token("a1")
    no_ref = Attendee(id="walk-in", given_name="Walk", ref="")
    assert text_for(no_ref) == "walk-in"  # no ref, no code: the id is all there is
