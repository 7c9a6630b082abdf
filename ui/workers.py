"""Worker lanes: one single-thread lane per kind of blocking work (db, print, net, decode).

A lane is a QThread that runs submitted functions one after another, so work of one kind
never overlaps (two admissions never race for the write lock, two print jobs never
interleave), while the GUI thread only posts work and receives results through a queued
signal. Each lane has its own context object (for the db and print lanes: its own SQLite
connection, opened lazily inside the lane's thread, because a connection belongs to the
thread that uses it).

Callbacks run on the GUI thread (the Picard habit: the worker returns a value, the
callback runs on the main thread).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from checkin.db import open_db
from checkin.store import Store

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


@dataclass
class Task:
    id: int
    fn: Callable[[Any], Any]
    on_done: Callback | None = None
    on_error: Callback | None = None
    name: str = ""
    cancelled: bool = field(default=False)


class _Thread(QThread):
    """The lane's thread: takes tasks from a queue until it gets None."""

    finished_task = Signal(object, object, object)  # task, result, error

    def __init__(self, lane: Lane) -> None:
        super().__init__()
        self._lane = lane
        self.tasks: queue.SimpleQueue[Task | None] = queue.SimpleQueue()

    def run(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                break
            result: Any = None
            error: BaseException | None = None
            if not task.cancelled:
                try:
                    result = task.fn(self._lane.context)
                except Exception as exc:  # reported to the GUI thread, never lost
                    error = exc
                    log.error("lane %s: task %r failed\n%s", self._lane.name, task.name,
                              traceback.format_exc().rstrip())
            self.finished_task.emit(task, result, error)
        self._lane.close_context()


class Lane(QObject):
    """A single-thread work lane. `submit(fn, on_done, on_error)`; fn gets the lane context."""

    busyChanged = Signal(bool)
    idle = Signal()
    error = Signal(str, object)  # task name, exception (for tasks without on_error)

    _ids = itertools.count(1)

    def __init__(self, name: str, context_factory: Callable[[], Any] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._factory = context_factory
        self._context: Any = None
        self._context_lock = threading.Lock()
        self._pending = 0
        self._tasks: dict[int, Task] = {}  # submitted, not yet reported back
        self._thread = _Thread(self)
        self._thread.setObjectName(f"lane-{name}")
        self._thread.finished_task.connect(self._on_finished)
        self._thread.start()
        self._stopped = False

    # -- the context lives in the lane's thread ---------------------------------------------

    @property
    def context(self) -> Any:
        with self._context_lock:
            if self._context is None and self._factory is not None:
                self._context = self._factory()
            return self._context

    def reset_context(self) -> None:
        """Drop the context (e.g. another database was opened); the next task makes a new one."""
        def _reset(_: Any) -> None:
            self.close_context()
        self.submit(_reset, name="reset")

    def close_context(self) -> None:
        with self._context_lock:
            ctx, self._context = self._context, None
        close = getattr(ctx, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):  # closing must never take the app down
                close()

    # -- work ---------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Tasks submitted and not yet reported back (including the one running)."""
        return self._pending

    @property
    def busy(self) -> bool:
        return self._pending > 0

    @property
    def stopped(self) -> bool:
        return self._stopped

    def submit(self, fn: Callable[[Any], Any], on_done: Callback | None = None,
               on_error: Callback | None = None, name: str = "") -> Task:
        task = Task(next(self._ids), fn, on_done, on_error, name or getattr(fn, "__name__", ""))
        if self._stopped:
            return task
        self._pending += 1
        self._tasks[task.id] = task
        if self._pending == 1:
            self.busyChanged.emit(True)
        self._thread.tasks.put(task)
        return task

    @Slot(object, object, object)
    def _on_finished(self, task: Task, result: Any, error: BaseException | None) -> None:
        self._pending -= 1
        self._tasks.pop(task.id, None)
        try:
            if task.cancelled:
                pass
            elif error is not None:
                if task.on_error is not None:
                    task.on_error(error)
                else:
                    self.error.emit(task.name, error)
            elif task.on_done is not None:
                task.on_done(result)
        finally:
            if self._pending == 0:
                self.busyChanged.emit(False)
                self.idle.emit()

    def stop(self, timeout_ms: int = 10000, *, drop_queued: bool = False) -> None:
        """Finish the queued work (or, with drop_queued, only the running task: the rest is
        cancelled and no callback of theirs runs), close the context and end the thread."""
        if self._stopped:
            return
        self._stopped = True
        if drop_queued:
            for task in self._tasks.values():
                task.cancelled = True
        self._thread.tasks.put(None)
        self._thread.wait(timeout_ms)


class QueryLane(Lane):
    """A lane for read queries over one event database (the attendee list, the dashboard).

    Its context is a Store on the lane's own connection (WAL lets these reads run while
    the desk writes a check-in on another); `submit(lambda store: ..., on_done, on_error)`.
    Shut down with its owner (`stop_with`) or when the application quits; queued queries
    are then dropped, not run.
    """

    def __init__(self, db_path: Path | str, parent: QObject | None = None,
                 name: str = "query") -> None:
        path = Path(db_path)
        super().__init__(name, lambda: Store(open_db(path)), parent)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def stop_with(self, owner: QObject) -> None:
        """Shut down when owner is destroyed: a running QThread must never be deleted."""
        owner.destroyed.connect(self.shutdown)

    def shutdown(self) -> None:
        self.stop(drop_queued=True)


class Lanes(QObject):
    """The app's lanes by kind; built once by the app and passed in (no singletons)."""

    def __init__(self, factories: dict[str, Callable[[], Any] | None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lanes = {name: Lane(name, factory, self) for name, factory in factories.items()}

    def __getitem__(self, name: str) -> Lane:
        return self._lanes[name]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._lanes.values())

    def stop(self) -> None:
        for lane in self._lanes.values():
            lane.stop()
