"""Every command has help; errors are one line on stderr with a non-zero exit."""

import pytest
from click.testing import CliRunner

from checkin.cli import COMMANDS, cli
from checkin.db import connect as keyed_connect  # keyed when encrypted
from tests.conftest import run_checkin


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command = cli.get_command(None, name)
    assert command.help or command.short_help, f"{name} has no help text"


def test_top_level_help_lists_commands():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_init_creates_event(run_cli, db_path):
    result = run_cli("init", "--event", "Berlin PM 2026", "--days", "2026-12-01,2026-12-02")
    assert result.exit_code == 0, result.output
    conn = keyed_connect(db_path)
    assert conn.execute("SELECT value FROM meta WHERE key='event_name'").fetchone()[0] == (
        "Berlin PM 2026")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_init_refuses_bad_day_in_one_line(tmp_path):
    result = run_checkin("--db", str(tmp_path / "x.sqlite"), "init", "--event", "E",
                         "--days", "2026-13-01")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.sqlite").exists()


def test_missing_database_is_one_line_error(tmp_path):
    result = run_checkin("--db", str(tmp_path / "none.sqlite"), "attendees")
    assert result.returncode != 0
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_db_from_environment(tmp_path):
    path = tmp_path / "env.sqlite"
    result = run_checkin("init", "--event", "E", "--days", "2026-12-01",
                         env={"CHECKIN_DB": str(path)})
    assert result.returncode == 0, result.stderr
    assert path.exists()


def test_db_in_user_data_dir_by_default(tmp_path):
    result = run_checkin("init", "--event", "E", "--days", "2026-12-01",
                         env={"XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "xdg" / "checkin-station" / "event.sqlite").exists()


def test_db_after_the_command_too(tmp_path):
    """`checkin demo --db FILE` (and any subcommand, a group's too) as `checkin --db FILE
    demo`; given twice, the later one counts."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    db = tmp_path / "after.sqlite"
    result = run_checkin("demo", "--db", str(db), env=env)
    assert result.returncode == 0, result.stderr
    assert db.exists() and not (tmp_path / "data").exists()
    listed = run_checkin("keys", "list", "--db", str(db), env=env)
    assert listed.returncode == 0 and "valid" in listed.stdout
    other = tmp_path / "other.sqlite"
    result = run_checkin("--db", str(other), "attendees", "--db", str(db), "--search", "a",
                         env=env)
    assert result.returncode == 0, result.stderr
    assert not other.exists()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_takes_db(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "--db" in result.output
