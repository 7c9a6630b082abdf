"""`checkin confirmations`: PNG + CSV for the mail merge, a PDF page each; tokens scan."""

import csv

import pytest

from checkin import tokens
from checkin.admission import OK
from checkin.cli.confirmations import file_stem
from checkin.models import Attendee
from checkin.paths import key_path
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
    assert tokens.qr_text_for(ev.store, ev.path)(ev.store.attendee("a2")) == issued


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
    pytest.importorskip("checkin.badges")
    from checkin.cli.confirmations import pdf_writer

    if pdf_writer() is None:
        pytest.skip("no confirmation renderer in this build")
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
