import os
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests: CI runs the same examples every time (a red run is a real fault, and the
# run after a fix checks the same inputs); local runs explore with random seeds and keep
# what they find in .hypothesis/. A failure found locally is added to its test as an
# @example. ./scripts/test.sh passes --hypothesis-profile=ci when CI is set.
settings.register_profile("ci", derandomize=True, database=None, max_examples=100,
                          deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("dev")

# The same start-up path as the app (ui/earlyinit.py), with the log in a temporary file
# that the tests of logging read. The real per-user log is never written by a test.
os.environ["CHECKIN_LOG"] = str(Path(tempfile.mkdtemp(prefix="checkin-test-log-")) / "checkin.log")

from ui.earlyinit import early_init  # noqa: E402  (after the environment it reads)
from ui.pyside_fixes import collect_due  # noqa: E402

LOG_FILE = early_init()


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread():
    """Automatic collection is off (ui/pyside_fixes.py): collect what is due between tests,
    on the main thread, as the app's timer does."""
    yield
    collect_due()

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


# The real servers of the pretix tests and of the hub on PostgreSQL: one per session,
# stopped at its end.
from tests.pg_server import pg_server  # noqa: E402, F401
from tests.pretix_server import pretix_server  # noqa: E402, F401
