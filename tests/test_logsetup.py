"""The log file: where it is, that commands write to it, that a bad location never stops work."""

import re
from pathlib import Path

from tests.conftest import run_checkin


def test_version_names_the_log_file(tmp_path: Path):
    log = tmp_path / "logs" / "checkin.log"
    result = run_checkin("--version", env={"CHECKIN_LOG": str(log)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"log: {log}"


def test_commands_log_to_the_file(tmp_path: Path):
    log = tmp_path / "checkin.log"
    db = tmp_path / "event.sqlite"
    result = run_checkin("--db", str(db), "init", "--event", "Logged", "--days", "2026-12-01",
                         env={"CHECKIN_LOG": str(log)})
    assert result.returncode == 0, result.stderr
    text = log.read_text(encoding="utf-8")
    assert "log opened" in text


def test_unwritable_log_location_still_runs_the_command(tmp_path: Path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    result = run_checkin("--version", env={"CHECKIN_LOG": str(blocker / "checkin.log")})
    assert result.returncode == 0
    assert "checkin" in result.stdout
    assert result.stderr.count("\n") == 1 and "cannot write the log file" in result.stderr


def test_default_log_lives_in_the_per_user_data_directory(monkeypatch):
    from checkin import logsetup, paths

    monkeypatch.delenv("CHECKIN_LOG", raising=False)
    assert logsetup.log_path() == paths.data_dir() / "checkin.log"


def test_imports_and_key_changes_reach_the_log(tmp_path: Path):
    log = tmp_path / "checkin.log"
    db = tmp_path / "event.sqlite"
    env = {"CHECKIN_LOG": str(log)}
    csv = tmp_path / "people.csv"
    csv.write_text("id,first name,last name\nP-1,Ann,Lee\nP-2,Bo,Kim\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing,useful\n1,2\n", encoding="utf-8")
    steps = [("init", "--event", "Logged", "--days", "2026-12-01"), ("import", str(csv)),
             ("keys", "rotate")]
    for step in steps:
        result = run_checkin("--db", str(db), *step, env=env)
        assert result.returncode == 0, result.stderr
    refused = run_checkin("--db", str(db), "import", str(bad), env=env)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    text = log.read_text(encoding="utf-8")
    assert "people.csv: 2 rows: 2 added" in text
    assert re.search(r"signing key \w+ installed in ", text)
    assert f"import {bad} refused:" in text
    assert "Traceback" not in text
