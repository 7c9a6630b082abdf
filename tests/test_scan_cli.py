"""`checkin scan` and `checkin undo` from the command line."""

import json

import pytest

from checkin.store import CHECKIN
from tests.conftest import run_checkin
from tests.test_admission_support import DAY1, DAY2, make_event


@pytest.fixture
def ev(tmp_path):
    return make_event(tmp_path / "event.sqlite")


def test_scan_json_one_object_per_input(ev, run_cli):
    token = ev.token("a1")
    result = run_cli("scan", "--json", "--station", "desk-9", "--operator", "zoe", "--day", DAY1,
                     token, token + "\n", "nonsense words", "ORD7Z", "99999999", db=ev.path)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [d["verdict"] for d in lines] == ["ok", "ok", "malformed", "malformed", "unknown"]
    assert lines[0]["attendee_id"] == "a1" and lines[0]["message"]
    assert lines[0]["input"] == token
    admission = ev.store.admission("a1", DAY1)
    assert admission.station == "desk-9" and admission.operator == "zoe"


def test_scan_repeat_reports_when_where_who(ev, run_cli):
    token = ev.token("a1")
    run_cli("scan", "--station", "desk-1", "--operator", "ann", "--day", DAY1, token, db=ev.path)
    result = run_cli("scan", "--json", "--station", "desk-2", "--day", DAY1, token, db=ev.path)
    data = json.loads(result.output)
    assert data["verdict"] == "already_checked_in"
    assert data["station"] == "desk-1" and data["operator"] == "ann"
    assert data["checked_in_at"] == ev.store.admission("a1", DAY1).time


def test_scan_plain_output_and_exit_code_zero_for_refusals(ev, run_cli):
    result = run_cli("scan", "--day", DAY1, ev.token("a6"), "WIFI:S:x;;", "bad\x1b[2Jtext",
                     db=ev.path)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("cancelled") and "a6" in lines[0]
    assert lines[1].startswith("malformed") and "Wi-Fi" in lines[1]
    assert "\x1b" not in result.output


def test_scan_reads_stdin_lines(ev, run_cli):
    stdin = f"{ev.token('a1')}\r\n{ev.token('a2')}\n\n"
    result = run_cli("scan", "--json", "--day", DAY1, input=stdin, db=ev.path)
    verdicts = [json.loads(line)["verdict"] for line in result.output.splitlines()]
    assert verdicts == ["ok", "ok", "malformed"]


def test_scan_usage_errors_are_nonzero(ev):
    bad_day = run_checkin("--db", str(ev.path), "scan", "--day", "tomorrow", "x")
    assert bad_day.returncode != 0 and "YYYY-MM-DD" in bad_day.stderr
    missing = run_checkin("--db", str(ev.path.parent / "none.sqlite"), "scan", "x")
    assert missing.returncode != 0
    assert missing.stderr.startswith("error: ") and len(missing.stderr.splitlines()) == 1


def test_scan_in_a_subprocess_with_binary_and_huge_input(ev):
    huge = "A" * 100_000
    result = run_checkin("--db", str(ev.path), "scan", "--json", "--day", DAY1, huge,
                         "\x01\x02\x7f", ev.token("a3"))
    assert result.returncode == 0, result.stderr
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.splitlines()]
    assert verdicts == ["malformed", "malformed", "ok"]


def test_undo_cli(ev, run_cli):
    run_cli("scan", "--day", DAY1, ev.token("a1"), db=ev.path)
    result = run_cli("undo", "a1", "--reason", "scanned the wrong badge", "--day", DAY1,
                     "--station", "desk-3", db=ev.path)
    assert result.exit_code == 0, result.output
    assert "Ann Lee" in result.output
    assert ev.store.admission("a1", DAY1) is None
    undo = ev.store.events("a1", types=("undo",))[0]
    assert undo.payload["reason"] == "scanned the wrong badge" and undo.station == "desk-3"
    again = run_checkin("--db", str(ev.path), "undo", "a1", "--day", DAY1)
    assert again.returncode == 1 and "nothing to undo" in again.stderr
    nobody = run_checkin("--db", str(ev.path), "undo", "no-such-id", "--day", DAY1)
    assert nobody.returncode == 1
    assert nobody.stderr == "error: no attendee with id 'no-such-id'\n"


def test_day_two_from_the_cli(ev, run_cli):
    for day in (DAY1, DAY2):
        result = run_cli("scan", "--json", "--day", day, ev.token("a1"), db=ev.path)
        assert json.loads(result.output)["verdict"] == "ok"
    assert len(ev.store.events("a1", types=(CHECKIN,))) == 2


def test_scan_image(ev, run_cli, tmp_path):
    from checkin.confirmations import write_qr_png

    png = tmp_path / "code.png"
    write_qr_png(ev.token("a2"), png)
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (200, 200), 255).save(blank)
    result = run_cli("scan", "--image", "--json", "--day", DAY1, str(png), str(blank),
                     db=ev.path)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["verdict"] == "ok" and lines[0]["attendee_id"] == "a2"
    assert lines[0]["file"] == str(png)
    assert lines[1]["verdict"] == "malformed" and lines[1]["file"] == str(blank)
    assert lines[1]["day"] == DAY1
    undated = run_cli("scan", "--image", "--json", str(blank), db=ev.path)
    assert json.loads(undated.output)["day"]  # today, like every other verdict
    missing = run_checkin("--db", str(ev.path), "scan", "--image", "--day", DAY1,
                          str(tmp_path / "none.png"), str(png))
    assert missing.returncode == 1 and missing.stderr.startswith("error: ")
    assert "already_checked_in" in missing.stdout or "ok" in missing.stdout
