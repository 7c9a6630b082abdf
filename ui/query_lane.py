"""A single-thread lane for read queries: its own thread, its own SQLite connection.

Widgets hand it a function of a Store; the function runs on the lane's thread and the
result (or a one-line error) comes back to a callback on the GUI thread. One thread per
lane keeps the queries in order and the connection single-threaded; WAL lets these
reads run while the desk writes a check-in on another connection.
"""

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.store import Store

Job = Callable[[Store], Any]


class _Worker(QObject):
    done = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self._db_path = db_path
        self._store: Store | None = None

    @Slot(int, object)
    def run(self, job_id: int, job: Job) -> None:
        try:
            if self._store is None:
                self._store = Store(open_db(self._db_path))
            result = job(self._store)
        except CheckinError as exc:
            self.failed.emit(job_id, str(exc))
        except Exception as exc:  # a failing query must not take the app down
            self.failed.emit(job_id, f"{type(exc).__name__}: {exc}")
        else:
            self.done.emit(job_id, result)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class QueryLane(QObject):
    """Run `job(store)` off the GUI thread; `on_done(result)` runs on the GUI thread."""

    _submit = Signal(int, object)
    error = Signal(str)  # a job without its own on_error failed

    def __init__(self, db_path: Path | str, parent: QObject | None = None,
                 name: str = "query-lane") -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable[[Any], None],
                                         Callable[[str], None] | None]] = {}
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _Worker(Path(db_path))
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def stop_with(self, owner: QObject) -> None:
        """Shut down when owner is destroyed: a running QThread must never be deleted."""
        owner.destroyed.connect(self.shutdown)

    def submit(self, job: Job, on_done: Callable[[Any], None],
               on_error: Callable[[str], None] | None = None) -> int:
        if self._closed:
            return 0
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._submit.emit(job_id, job)
        return job_id

    def busy(self) -> bool:
        return bool(self._callbacks)

    @Slot(int, object)
    def _on_done(self, job_id: int, result: object) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is not None and not self._closed:
            callbacks[0](result)

    @Slot(int, str)
    def _on_failed(self, job_id: int, message: str) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is None or self._closed:
            return
        if callbacks[1] is not None:
            callbacks[1](message)
        else:
            self.error.emit(message)

    def shutdown(self) -> None:
        """Finish the running job, drop queued ones, close the connection. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._callbacks.clear()
        self._thread.quit()
        self._thread.wait()
        self._worker.close()
