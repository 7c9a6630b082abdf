"""The station's pretix: the settings form's Test / Connect / Pull now, and the desk's own
connection kept going in the background, all on the network lane (docs/pretix.md, "In the
station app").

A desk connected to pretix itself pulls every three minutes and pushes its admissions a
moment after they happen (checkin.pretix.cycle, the same schedule as the hub's); a desk
that syncs with a hub connected to pretix shows the hub's state instead, from the hub's
status answer (nothing more is asked for it). A scan never waits for any of it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from checkin.desk import DbContext, message_of
from checkin.pretix import form
from checkin.pretix.cycle import Cycle, Policy, PretixState
from ui.workers import Lane

Callback = Any  # a callable taking one value, run on the GUI thread


class PretixService(QObject):
    # The state to show and whether it is the hub's (a desk without its own connection).
    stateChanged = Signal(object, bool)
    pulled = Signal(object)  # PullResult: the attendees changed

    def __init__(self, lane: Lane, db_path: Path, parent: QObject | None = None,
                 policy: Policy | None = None) -> None:
        super().__init__(parent)
        self._lane = lane
        self.db_path = db_path
        self.cycle = Cycle(policy)
        self.own = PretixState()
        self.hub: PretixState | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run)

    # -- the state shown -----------------------------------------------------------------

    @property
    def shown(self) -> tuple[PretixState | None, bool]:
        """What the status bar shows: the desk's own connection first, else the hub's."""
        if self.own.connected:
            return self.own, False
        return self.hub, True

    def _emit(self) -> None:
        state, via_hub = self.shown
        self.stateChanged.emit(state, via_hub)

    def set_hub_state(self, state: PretixState | None) -> None:
        if state != self.hub:
            self.hub = state
            self._emit()

    # -- the background cycle --------------------------------------------------------------

    def start(self) -> None:
        self.run()

    def stop(self) -> None:
        self._timer.stop()

    def run(self) -> None:
        """One run of the cycle on the lane (pull or push when due); the next is timed
        from its answer."""
        self._timer.stop()
        cycle, path = self.cycle, self.db_path
        self._lane.submit(lambda ctx: cycle.run(ctx.store, path), self._ran,
                          self._run_failed, name="pretix")

    def request_push(self) -> None:
        """An admission or undo was made: pushed in a moment when the desk is connected."""
        if not self.own.connected:
            return
        self.cycle.request_push()
        self._schedule()

    def _schedule(self) -> None:
        self._timer.start(int(self.cycle.due_in() * 1000) + 50)

    def _ran(self, state: PretixState) -> None:
        self.own = state
        self._emit()
        self._schedule()

    def _run_failed(self, exc: BaseException) -> None:
        # a fault of the lane's database (logged there): shown, and tried again later
        self.own = PretixState(connected=self.own.connected, error=message_of(exc))
        self._emit()
        self._timer.start(int(self.cycle.policy.retry_after(1) * 1000))

    # -- the settings form ---------------------------------------------------------------

    def current(self, done: Callback) -> None:
        """done(Fields | None): the stored connection."""
        path = self.db_path
        self._lane.submit(lambda ctx: form.current(ctx.store, path), done,
                          lambda exc: done(None), name="pretix_current")

    def test(self, fields: form.Fields, done: Callback, failed: Callback) -> None:
        """done(Answer) or failed(one line); nothing stored."""
        path = self.db_path
        self._lane.submit(lambda ctx: form.test(ctx.store, path, fields), done,
                          lambda exc: failed(message_of(exc)), name="pretix_test")

    def connect_list(self, fields: form.Fields, done: Callback, failed: Callback) -> None:
        """done(Answer) or failed(one line); the connection is stored on success."""
        path = self.db_path

        def work(ctx: DbContext) -> tuple[form.Answer, PretixState]:
            from checkin.pretix.cycle import state

            # Stored only: the attendees come with "Pull now", or the cycle's next pull.
            answer = form.connect(ctx.store, path, fields)
            return answer, state(ctx.store, path)

        def connected(result: tuple[form.Answer, PretixState]) -> None:
            self._ran(result[1])
            done(result[0])
        self._lane.submit(work, connected, lambda exc: failed(message_of(exc)),
                          name="pretix_connect")

    def pull_now(self, done: Callback, failed: Callback) -> None:
        """done(PullResult) or failed(one line); pulled tells the station."""
        path = self.db_path

        def work(ctx: DbContext) -> tuple[Any, PretixState]:
            from checkin.pretix.cycle import state

            result = form.pull_now(ctx.store, path)
            return result, state(ctx.store, path)

        def pulled(result: tuple[Any, PretixState]) -> None:
            self._ran(result[1])
            self.pulled.emit(result[0])
            done(result[0])

        def pull_failed(exc: BaseException) -> None:
            line = message_of(exc)
            self.own = replace(self.own, error=line)
            self._emit()
            failed(line)
        self._lane.submit(work, pulled, pull_failed, name="pretix_pull")
