"""Files the CLI writes (badges, confirmations, exports) are written whole or not at all:
never through a symbolic link placed at the output path, no 0-byte or truncated file on
a full disk (a real tmpfs), one line naming the path and the reason for a missing,
read-only or full location. Text that is not UTF-8 in arguments is handled or refused in
one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_checkin
from tests.disk import PAGE, fill, small_disk, unfill

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and mounts")


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    assert run_checkin("--db", str(db_path), "demo").returncode == 0
    return db_path


def _one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "fault of checkin" not in result.stderr


def _commands(db: Path, out: Path) -> dict[str, list[str]]:
    return {
        "badges": ["--db", str(db), "badges", "--ids", "PMC-0001,PMC-0002", "--out", str(out)],
        "export": ["--db", str(db), "export", "attendance", "--out", str(out.with_suffix(
            ".csv"))],
    }


@pytest.mark.parametrize("command", ["badges", "export"])
def test_a_symlink_at_the_output_path_is_not_followed(demo_db, tmp_path, command):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    args = _commands(demo_db, tmp_path / "out.pdf")[command]
    out = Path(args[-1])
    out.symlink_to(victim)
    _one_line(run_checkin(*args), str(out), "symbolic link")
    assert victim.read_text() == "precious" and out.is_symlink()


def test_a_symlink_inside_the_confirmations_folder_is_not_followed(demo_db, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    folder = tmp_path / "confirmations"
    folder.mkdir()
    (folder / "PMC-0001.png").symlink_to(victim)
    (folder / "confirmations.csv").symlink_to(victim)
    result = run_checkin("--db", str(demo_db), "confirmations", "--ids", "PMC-0001",
                         "--out", str(folder))
    _one_line(result, "symbolic link")
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("command", ["badges", "export"])
def test_a_full_disk_leaves_no_truncated_file(demo_db, tmp_path, command):
    with small_disk(tmp_path / "disk", "2m") as disk:
        args = _commands(demo_db, disk / "out.pdf")[command]
        out = Path(args[-1])
        out.write_bytes(b"the previous, complete file")
        fill(disk, leave=2 * PAGE)
        result = run_checkin(*args)
        unfill(disk)
        assert out.read_bytes() == b"the previous, complete file"
        assert sorted(p.name for p in disk.iterdir()) == [out.name], "no temporary files left"
        _one_line(result, str(out), "the disk is full")


def test_confirmations_on_a_full_disk_leave_only_whole_files(demo_db, tmp_path):
    with small_disk(tmp_path / "disk", "2m") as disk:
        folder = disk / "confirmations"
        fill(disk, leave=12 * PAGE)
        result = run_checkin("--db", str(demo_db), "confirmations", "--out", str(folder))
        unfill(disk)
        _one_line(result, "the disk is full")
        written = list(folder.iterdir())
        assert written, "the disk must fill in the middle"
        assert not any(p.name.startswith(".") for p in written), "no temporary files left"
        assert all(p.stat().st_size > 0 for p in written)
        assert not (folder / "confirmations.csv").exists()


def test_missing_and_read_only_locations_are_one_line(demo_db, tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "badges.pdf"
    _one_line(run_checkin(*_commands(demo_db, missing)["badges"]), str(missing),
              "does not exist")
    with small_disk(tmp_path / "ro", "1m", read_only=True) as read_only:
        out = read_only / "badges.pdf"
        _one_line(run_checkin(*_commands(demo_db, out)["badges"]), str(out), "read-only")
        _one_line(run_checkin(*_commands(demo_db, out)["export"]), "read-only")
        _one_line(run_checkin("--db", str(demo_db), "confirmations", "--out",
                              str(read_only / "c")), "read-only")


def _run_bytes(*args: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable.encode(), b"-m", b"checkin", *args],
                          capture_output=True, timeout=120, env=os.environ.copy())


def test_text_arguments_that_are_not_utf8_are_refused_in_one_line(demo_db):
    db = bytes(demo_db)
    for args in ([b"scan", b"--station", b"desk-\xff", b"PMC-0001"],
                 [b"undo", b"PMC-0001", b"--reason", b"\xe9t\xe9"],
                 [b"init", b"--event", b"Caf\xe9", b"--days", b"2026-12-01", b"--force"]):
        result = _run_bytes(b"--db", db, *args)
        errors = result.stderr.decode("utf-8")
        assert result.returncode in (1, 2), errors
        assert len(errors.splitlines()) == 1 and "not valid UTF-8" in errors, errors
        assert "Traceback" not in errors


def test_file_names_that_are_not_utf8_are_handled(demo_db, tmp_path):
    out = bytes(tmp_path) + b"/badges-\xff.pdf"
    result = _run_bytes(b"--db", bytes(demo_db), b"badges", b"--ids", b"PMC-0001", b"--out",
                        out)
    assert result.returncode == 0, result.stderr
    assert os.path.exists(out)
    assert b"badges-\\udcff.pdf" in result.stdout or b"badges-\\xff.pdf" in result.stdout
    source = bytes(tmp_path) + b"/list-\xfc.csv"
    with open(source, "w", encoding="utf-8") as handle:
        handle.write("Vorname,Nachname\nAnna,Weber\n")
    result = _run_bytes(b"--db", bytes(demo_db), b"import", source)
    assert result.returncode == 0, result.stderr
    assert b"1 added" in result.stdout
