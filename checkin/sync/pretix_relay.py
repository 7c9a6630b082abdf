"""The hub talks to pretix for all desks: pulls every few minutes, pushes as desks' events
arrive, and makes the final push of `checkin sync --final` (docs/pretix.md, "The hub").

Contract:

- ``PretixRelay(db_path, policy)``: ``start()`` a background thread with its own database
  connection that runs checkin.pretix.cycle.Cycle: a pull at start and every
  policy.pull_every seconds, a push soon after ``trigger(events)`` saw an admission or an
  undo among a desk's new events (returns at once: a desk's push never waits for pretix).
  Pulled changes are events in the hub's log, so every desk gets them by its next pull.
  pretix away or refusing: logged, tried again after a growing wait (the policy's), the
  admissions wait in the log (nothing is lost), and the hub serves the desks as before.
  ``stop()``. A database not connected to pretix costs one query per period: a
  connection made meanwhile (`checkin --db HUB pretix connect`) is taken up by the next.
- ``final(timeout) -> FinalPush | None``: the end-of-day push, run by the relay's thread
  (one push at a time) while the caller waits at most timeout seconds; None when the hub
  is not connected to pretix. A push not done in time is answered with what waits and
  why; it goes on in the background.
- ``state() -> PretixState | None``: the last known state (memory only: the hub's status
  answer gives it to every desk every few seconds); None when not connected.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from checkin.errors import CheckinError
from checkin.models import Event
from checkin.pretix.cycle import Cycle, FinalPush, Policy, PretixState, state
from checkin.store import CHECKIN, UNDO, Store

if TYPE_CHECKING:
    from checkin.places import Place

log = logging.getLogger(__name__)

FINAL_TIMEOUT = 10.0  # seconds the final route waits: a desk's request times out at 20
FAULT_WAIT = 60.0  # seconds after a fault that is not pretix's (a database error)


class _Final:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: FinalPush | None = None


class PretixRelay:
    def __init__(self, place: Place, policy: Policy | None = None) -> None:
        from checkin.places import files_path

        self.place = place
        self.db_path = files_path(place)  # the token file lives beside it
        self.cycle = Cycle(policy)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._finals: list[_Final] = []
        self._state: PretixState | None = None
        self._thread: threading.Thread | None = None

    # -- what the hub calls ------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pretix", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def trigger(self, events: Iterable[Event]) -> None:
        """A desk's new events were stored: push soon if any is for pretix."""
        if any(e.type in (CHECKIN, UNDO) for e in events):
            self.cycle.request_push()
            self._wake.set()

    def state(self) -> PretixState | None:
        with self._lock:
            found = self._state
        return found if found is not None and found.connected else None

    def final(self, timeout: float = FINAL_TIMEOUT) -> FinalPush | None:
        if self.state() is None:
            return None
        request = _Final()
        with self._lock:
            self._finals.append(request)
        self._wake.set()
        if request.done.wait(timeout):
            return request.result
        known = self.state() or PretixState()
        log.warning("pretix relay: the final push did not finish within %.0f s; it goes on",
                    timeout)
        return FinalPush(accepted=known.accepted, refused=known.refused, waiting=known.waiting,
                         error=f"the push to pretix did not finish within {timeout:.0f} s "
                               "(the hub goes on with it)")

    # -- the thread --------------------------------------------------------------------

    def _run(self) -> None:
        from checkin.places import open_store

        logging.getLogger("httpx").setLevel(logging.WARNING)
        try:
            store = open_store(self.place, station="hub")
        except CheckinError as exc:
            log.error("pretix relay: cannot open %s: %s; no pretix in this run",
                      self.db_path, exc)
            return
        try:
            while not self._stop.is_set():
                delay = FAULT_WAIT
                try:
                    if self._state is None:  # the status answer has it from the start
                        self._set(state(store, self.db_path))
                    self._serve_finals(store)
                    self._set(self.cycle.run(store, self.db_path))
                    self._serve_finals(store)
                    delay = self.cycle.due_in()
                except Exception:  # a fault must never take the hub down: logged, tried again
                    log.exception("pretix relay: a fault; tried again in %.0f s", FAULT_WAIT)
                self._wake.wait(delay)
                self._wake.clear()
        finally:
            with self._lock:
                finals, self._finals = self._finals, []
            for request in finals:
                request.done.set()
            store.close()

    def _set(self, found: PretixState) -> None:
        with self._lock:
            before, self._state = self._state, found
        if found.connected and (before is None or not before.connected):
            log.info("pretix relay: the hub pulls from and pushes to pretix (every %.0f s, "
                     "and as desks' admissions arrive)", self.cycle.policy.pull_every)

    def _serve_finals(self, store: Store) -> None:
        with self._lock:
            finals, self._finals = self._finals, []
        if not finals:
            return
        result: FinalPush | None = None
        try:
            result = self.cycle.push_now(store, self.db_path)
            log.info("pretix relay: final push: %s", result.line())
            self._set(state(store, self.db_path, error=result.error))
        except CheckinError as exc:  # not connected any more
            log.warning("pretix relay: final push: %s", exc)
        finally:  # whatever happened, nobody waits for more than this
            for request in finals:
                request.result = result
                request.done.set()
