"""Files the station writes: atomically, durably, never through a symbolic link.

Contract:

- ``atomic_output(path, *, mode=0o644) -> ContextManager[Path]``: yields a temporary path
  in path's own folder (same file system, so the final rename is atomic) with path's
  suffix (writers that pick a format by the name still do). When the block ends without
  an exception the file is flushed to disk (fsync), renamed over path and the folder's
  entry is made durable; on any exception the temporary file is removed and path is as it
  was. So a reader sees the old file or the whole new one, never a 0-byte or truncated
  file, also when the disk fills. A symbolic link at path is refused, not followed (a
  link placed there would make us overwrite its target).
- ``write_bytes_atomic(path, data, *, mode=0o644)``: the same for bytes in memory.
- ``fsync_file(path)``: flush a file written by someone else (SQLite's VACUUM INTO).
- ``fsync_dir(folder)``: make a rename or a new entry in folder durable (POSIX; a no-op
  where folders cannot be opened).
- ``output_error(path, exc, *, action="write") -> CheckinError``: one line naming the
  path and the reason (missing folder, read-only, full disk, ...).
"""

import errno
import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from checkin.errors import CheckinError

log = logging.getLogger(__name__)

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be larger than this system allows",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied (or the file is open in another program)",
    errno.EPERM: "permission denied (or the file is open in another program)",
}


_WORDS = {os.strerror(code): words for code, words in _REASONS.items()}


def output_error(path: Path, exc: OSError, *, action: str = "write") -> CheckinError:
    """One line for a file that could not be written (action "create": a folder): the
    path and why."""
    folder = path.parent if str(path.parent) else Path(".")
    if exc.errno == errno.ENOENT and not folder.is_dir():
        reason = f"the folder {folder} does not exist"
    elif exc.errno == errno.ENOTDIR:
        reason = f"{folder} is not a folder"
    else:
        reason = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    return CheckinError(f"cannot {action} {path}: {reason} (nothing was written there)")


def refuse_symlink(path: Path) -> None:
    """A symbolic link at path is refused: writing would go to wherever it points."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise output_error(path, exc) from None
    if stat.S_ISLNK(info.st_mode):
        log.warning("refused to write through the symbolic link %s", path)
        raise CheckinError(f"cannot write {path}: it is a symbolic link (not followed; "
                           "remove it or choose another name)")
    if stat.S_ISDIR(info.st_mode):
        raise CheckinError(f"cannot write {path}: it is a folder")


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename itself is still atomic
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush path's content to disk."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_output(path: Path, *, mode: int = 0o644) -> Iterator[Path]:
    """A temporary path beside path, renamed over it when the block succeeds (module doc)."""
    path = Path(path)
    refuse_symlink(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}",
                                    dir=folder)
    except OSError as exc:
        raise output_error(path, exc) from None
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        try:
            os.chmod(temp, mode & ~_UMASK)
            fsync_file(temp)
            refuse_symlink(path)  # placed there while we wrote?
            os.replace(temp, path)
        except OSError as exc:
            raise output_error(path, exc) from None
        fsync_dir(folder)
    except OSError as exc:  # from the writer inside the block
        raise output_error(path, exc) from None
    except CheckinError as exc:  # a writer that says itself it could not write the file
        text = str(exc)
        if str(temp) not in text:
            raise
        for strerror, words in _WORDS.items():
            text = text.replace(strerror, words)
        raise CheckinError(text.replace(str(temp), str(path))) from None
    finally:
        try:
            temp.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("could not remove the temporary file %s: %s", temp, exc)


def write_bytes_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    with atomic_output(path, mode=mode) as temp:
        temp.write_bytes(data)


def _read_umask() -> int:
    # Read once at import: os.umask can only be read by setting it, which is not safe
    # while other threads create files.
    current = os.umask(0o022)
    os.umask(current)
    return current


_UMASK = _read_umask()
