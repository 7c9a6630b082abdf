"""When to pull from and push to pretix on a schedule: the hub's relay and the station app.

No threads here and no Qt: the caller runs ``Cycle.run(store, db_path)`` on its own
thread (the hub's relay thread, checkin.sync.pretix_relay; the app's network lane) and
asks ``Cycle.due_in()`` how long to sleep before the next run.

Contract:

- ``Policy``: pull every ``pull_every`` seconds (default 180: three minutes), push
  ``push_delay`` seconds after a push was asked for (the desks' events of the same moment
  go in one push), and after a failure wait ``first_retry`` seconds, doubling, at most
  ``max_retry``, before trying pretix again (pull and push alike: pretix is away or
  refuses, it is not hammered).
- ``Cycle.request_push()`` / ``request_pull()`` (any thread): do it at the next run,
  but not before a retry wait after a failure runs out.
- ``Cycle.run(store, db_path) -> PretixState``: does what is due: a pull, then a push
  when something waits. Never raises for pretix being away or refusing, nor for an
  unconnected database (then nothing is asked, and the next look is a pull period
  later: a connection made meanwhile is found). The state says how things stand.
- ``Cycle.push_now(store, db_path) -> FinalPush``: push at once whatever the retry wait
  (the end of the day: someone waits for the answer), and say what pretix holds.
- ``PretixState``: connected, last pull and push (ISO times), waiting, refused, the last
  error in one line ("" once pretix answered again); ``to_wire()``/``from_wire()`` for
  the hub's status answer. ``state(store, db_path)`` reads it from the database alone.

The same list pushed from two places (a hub and a desk both connected) is harmless:
pretix keeps one check-in per nonce.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError
from checkin.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    pull_every: float = 180.0
    push_delay: float = 1.0
    first_retry: float = 5.0
    max_retry: float = 300.0

    def retry_after(self, failures: int) -> float:
        """Seconds to wait after the failures-th failure in a row (1-based)."""
        return float(min(self.first_retry * 2 ** max(failures - 1, 0), self.max_retry))


@dataclass(frozen=True)
class PretixState:
    connected: bool = False
    last_pull: str = ""  # ISO time of the last pull applied ("" never)
    last_push: str = ""  # ISO time of the last push that reached pretix
    waiting: int = 0  # admissions and undos pretix has not answered for good
    accepted: int = 0  # admissions and undos pretix took
    refused: int = 0  # refused by pretix (final; `checkin pretix push --retry-refused`)
    error: str = ""  # the last failure, one line; "" when the last try worked

    def to_wire(self) -> dict[str, Any]:
        return {"connected": self.connected, "last_pull": self.last_pull,
                "last_push": self.last_push, "waiting": self.waiting,
                "accepted": self.accepted, "refused": self.refused, "error": self.error}

    @classmethod
    def from_wire(cls, data: Any) -> PretixState | None:
        """The state from a hub's answer; None for anything that is not one."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(connected=bool(data.get("connected")),
                       last_pull=str(data.get("last_pull") or ""),
                       last_push=str(data.get("last_push") or ""),
                       waiting=int(data.get("waiting") or 0),
                       accepted=int(data.get("accepted") or 0),
                       refused=int(data.get("refused") or 0),
                       error=str(data.get("error") or "")[:300])
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class FinalPush:
    """The end-of-day push, as `checkin sync --final` reports it."""

    pushed: int = 0  # admissions and undos sent by this push that pretix answered
    accepted: int = 0  # every admission and undo pretix holds (ok), this one included
    refused: int = 0  # every refusal so far
    waiting: int = 0  # not in pretix yet (pretix away, or the push not finished)
    error: str = ""  # why something waits, one line

    def to_wire(self) -> dict[str, Any]:
        return {"pushed": self.pushed, "accepted": self.accepted, "refused": self.refused,
                "waiting": self.waiting, "error": self.error}

    @classmethod
    def from_wire(cls, data: Any) -> FinalPush | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(pushed=int(data.get("pushed") or 0),
                       accepted=int(data.get("accepted") or 0),
                       refused=int(data.get("refused") or 0),
                       waiting=int(data.get("waiting") or 0),
                       error=str(data.get("error") or "")[:300])
        except (TypeError, ValueError):
            return None

    def line(self) -> str:
        text = (f"pretix: {self.accepted} admissions and undos accepted, {self.refused} "
                f"refused, {self.waiting} waiting ({self.pushed} sent at this final sync)")
        if self.error:
            text += f"; {self.error}"
        return text


def state(store: Store, db_path: Path | None = None, *, error: str | None = None
          ) -> PretixState:
    """How things stand, from the database (error: the caller's newer word on it)."""
    from checkin.pretix.status import status

    found = status(store, db_path)
    connection = found.connection
    if connection is None:
        return PretixState()
    stored = connection.last_error.split(": ", 1)[-1] if connection.last_error else ""
    return PretixState(connected=True, last_pull=connection.pulled_at or "",
                       last_push=connection.pushed_at or "", waiting=found.waiting,
                       accepted=found.pushed, refused=found.refused,
                       error=stored if error is None else error)


class Cycle:
    def __init__(self, policy: Policy | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy or Policy()
        self._clock = clock
        self._lock = threading.Lock()
        self._pull_at = clock()  # the first run pulls
        self._push_at: float | None = None
        self._blocked_until = 0.0  # after a failure: nothing before this
        self._failures = 0
        self._error = ""

    # -- asked from any thread --------------------------------------------------------

    def request_push(self) -> None:
        with self._lock:
            at = self._clock() + self.policy.push_delay
            self._push_at = at if self._push_at is None else min(self._push_at, at)

    def request_pull(self) -> None:
        with self._lock:
            self._pull_at = self._clock()

    def due_in(self) -> float:
        """Seconds until the next run has something to do (0: now)."""
        with self._lock:
            due = self._pull_at if self._push_at is None else min(self._pull_at,
                                                                 self._push_at)
            due = max(due, self._blocked_until)
            return max(0.0, due - self._clock())

    @property
    def failures(self) -> int:
        return self._failures

    # -- the work (the caller's thread, with its own Store) -----------------------------

    def run(self, store: Store, db_path: Path | None = None) -> PretixState:
        from checkin.pretix.connection import connected
        from checkin.pretix.push import waiting

        now = self._clock()
        with self._lock:
            if now < self._blocked_until:
                return state(store, db_path, error=self._error)
            pull_due = now >= self._pull_at
            push_due = self._push_at is not None and now >= self._push_at
        if not connected(store):
            with self._lock:
                self._pull_at = now + self.policy.pull_every
                self._push_at = None
            return PretixState()
        if pull_due:
            with self._lock:
                self._pull_at = self._clock() + self.policy.pull_every
            try:
                self._pull(store, db_path)
            except CheckinError as exc:
                self._failed(f"pull failed: {exc}")
                with self._lock:  # tried again after the wait, not a whole period later
                    self._pull_at = self._blocked_until
                return state(store, db_path, error=self._error)
        if push_due or (pull_due and waiting(store)):
            with self._lock:
                self._push_at = None
            try:
                self._push(store, db_path)
            except CheckinError as exc:  # the token file gone, the database busy
                self._failed(f"push failed: {exc}")
        return state(store, db_path, error=self._error)

    def push_now(self, store: Store, db_path: Path | None = None) -> FinalPush:
        from checkin.pretix.connection import connected

        if not connected(store):
            raise CheckinError("not connected to pretix")
        pushed, error = 0, ""
        try:
            pushed = self._push(store, db_path)
        except CheckinError as exc:
            error = str(exc)
            self._failed(error)
        now = state(store, db_path, error=self._error)
        return FinalPush(pushed=pushed, accepted=now.accepted, refused=now.refused,
                         waiting=now.waiting, error=error or self._error)

    def _pull(self, store: Store, db_path: Path | None) -> None:
        from checkin.pretix.pull import pull

        result = pull(store, db_path)
        self._worked()
        if result.added or result.changed or result.cancelled or result.checkins:
            log.info("pretix relay: %s", result.line())

    def _push(self, store: Store, db_path: Path | None) -> int:
        """Push what waits; the number pretix answered (accepted or refused)."""
        from checkin.pretix.push import push

        result = push(store, db_path)
        if result.unavailable:
            self._failed(f"push stopped: {result.unavailable}")
            with self._lock:  # what waits goes once pretix is back
                self._push_at = self._blocked_until
        else:
            self._worked()
        return result.ok + result.refused

    def _worked(self) -> None:
        with self._lock:
            if self._failures:
                log.info("pretix answers again after %d failed tries", self._failures)
            self._failures, self._error, self._blocked_until = 0, "", 0.0

    def _failed(self, error: str) -> None:
        with self._lock:
            self._failures += 1
            wait = self.policy.retry_after(self._failures)
            self._blocked_until = self._clock() + wait
            if self._push_at is not None:
                self._push_at = max(self._push_at, self._blocked_until)
            first = self._failures == 1 or error != self._error
            self._error = error
        # The first failure (and a new reason) is a warning; the retries are not.
        log.log(logging.WARNING if first else logging.INFO,
                "pretix: %s (try %d failed; next in %.1f s; nothing is lost)", error,
                self._failures, wait)

