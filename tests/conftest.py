import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test reads or writes the real per-user data or config directories."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("CHECKIN_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "event.sqlite"


@pytest.fixture
def run_cli(db_path: Path):
    """Run `checkin --db db_path ARGS...` in-process and return the click Result."""
    from checkin.cli import cli

    def run(*args: str, input: str | None = None, db: Path | None = None):
        runner = CliRunner()
        return runner.invoke(cli, ["--db", str(db or db_path), *args], input=input,
                             catch_exceptions=False)

    return run


@pytest.fixture
def event_db(db_path: Path, run_cli) -> Path:
    """An initialised two-day event database (today and tomorrow)."""
    from datetime import date, timedelta

    d0 = date.today()
    days = f"{d0.isoformat()},{(d0 + timedelta(days=1)).isoformat()}"
    result = run_cli("init", "--event", "Test Congress", "--days", days)
    assert result.exit_code == 0, result.output
    return db_path


def run_checkin(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    """Run the installed `checkin` entry point in a subprocess (real exit codes, real stderr)."""
    import subprocess

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "checkin", *args], capture_output=True,
                          text=True, env=full_env, input=input, timeout=120)
