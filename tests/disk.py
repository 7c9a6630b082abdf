"""A real small disk for "disk full" tests: a tmpfs mounted for the test (needs root; the
tests that use it are skipped elsewhere), filled to leave an exact number of bytes free.

tmpfs counts space in pages of 4 KiB, for file data as for SQLite's -wal and -shm files,
so "leave k pages" makes the k+1-th page any writer asks for fail with ENOSPC.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PAGE = 4096


@contextmanager
def small_disk(folder: Path, size: str = "8m", *, read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of size mounted on folder for the block (read_only: mounted read-only)."""
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a real full disk needs root to mount a tmpfs")
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def free_bytes(folder: Path) -> int:
    info = os.statvfs(folder)
    return info.f_bavail * info.f_frsize


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the disk of folder until leave bytes (rounded to pages) are free."""
    filler = folder / "filler"
    filler.unlink(missing_ok=True)
    size = free_bytes(folder) - leave
    if size > 0:
        with filler.open("wb") as handle:
            block = b"\0" * (1 << 20)
            while size > 0:
                size -= handle.write(block[:min(size, len(block))])
    return filler


def unfill(folder: Path) -> None:
    (folder / "filler").unlink(missing_ok=True)
