"""Scanned text to verdict, durable write included (budget: p95 <= 20 ms).

Two event databases on the real disk (WAL, synchronous=FULL): 400 attendees (the
reference conference) and 100,000, each with an attendee_created event per attendee and
a morning of admissions already in the log (half the list checked in on day one, so the
events table is as big as it gets). Then, per database, a few hundred scans through one
Engine, each timed from the text to the Verdict returned:

- signed token, first admission (the commit with fsync is inside the timing);
- upstream code (pretix-like secret), first admission;
- signed token typed through a French AZERTY layout (repairs tried until one verifies);
- a repeat (already_checked_in);
- not a code (a name: every repair is tried before `malformed`).

    python -m bench.run scan
"""

import random
import shutil
import string
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from bench.harness import Result, measure, summarise
from checkin import keys
from checkin.admission import Engine
from checkin.db import open_db
from checkin.models import Attendee, Event
from checkin.store import ATTENDEE_CREATED, CHECKIN, Store
from checkin.tokens import Signer

DAY1, DAY2 = "2026-12-01", "2026-12-02"
SCANS = 300
BUDGET = "p95 <= 20 ms"
# US scanner into French AZERTY: digits come out as the unshifted symbols, A/Q and Z/W
# trade places (the inverse of assets/keyboard_layouts.toml [layouts.fr]).
AZERTY = str.maketrans("1234567890AQZWM", "&é\"'(-è_çàQAWZ?")


def build(folder: Path, n: int, seed: int) -> tuple[Path, Signer, list[Attendee]]:
    rng = random.Random(seed)
    path = folder / f"event-{n}.sqlite"
    store = Store(open_db(path, create=True), station="bench")
    store.set_event("Bench Congress", [DAY1, DAY2])
    keys.ensure_event_key(store, path)
    people = []
    for i in range(n):
        secret = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(32))
        people.append(Attendee(id=f"A{i:06d}", given_name=f"Given{i}", family_name=f"Family{i}",
                               code=secret, days=[DAY1, DAY2] if i % 5 else [DAY2]))
    start = datetime(2026, 12, 1, 8, 0).astimezone()
    with store.transaction():
        store.write_attendees([(a, f"given{i} family{i}") for i, a in enumerate(people)])
        store.append_many([
            Event(str(uuid.UUID(int=rng.getrandbits(128))), ATTENDEE_CREATED, a.id, "import", "",
                  start.isoformat(), None, {"source": "bench"}) for a in people])
        store.append_many([
            Event(str(uuid.UUID(int=rng.getrandbits(128))), CHECKIN, a.id, "desk-0", "",
                  (start + timedelta(seconds=i)).isoformat(), DAY1, {"method": "scan"})
            for i, a in enumerate(people[: n // 2]) if a.registered_for(DAY1)])
    signer = keys.load_signer(store, path)
    assert signer is not None
    store.db.conn.close()
    return path, signer, people


def timed(engine: Engine, texts: list[str], expect: str, day: str = DAY1) -> list[float]:
    feed: Iterator[str] = iter(texts)
    seen: list[str] = []

    def one() -> None:
        seen.append(engine.scan(next(feed), day=day).verdict)

    samples = measure(one, runs=len(texts) - 1, warmup=1)
    wrong = [v for v in seen if v != expect]
    if wrong:
        raise AssertionError(f"expected {expect}, got {wrong[:3]}")
    return samples


def run() -> list[Result]:
    results: list[Result] = []
    folder = Path(tempfile.mkdtemp(prefix="bench-scan-", dir=Path(__file__).parent))
    try:
        for n in (400, 100_000):
            path, signer, people = build(folder, n, seed=n)
            engine = Engine(Store(open_db(path)), station="desk-1", operator="bench")
            # Day two: nobody admitted yet, everybody registered (up to SCANS of them).
            # Day one: the second half of the list is not admitted yet.
            day_two = people[-400:]
            fresh = [a for a in people[n // 2:] if a.registered_for(DAY1)]
            random.Random(1).shuffle(fresh)
            half = min(SCANS, len(fresh) // 2)
            cases: list[tuple[str, list[str], str, str]] = [
                ("signed token, first admission", [signer.sign(a.ref) for a in day_two], "ok",
                 DAY2),
                ("upstream code, first admission", [a.code or "" for a in fresh[:half]], "ok",
                 DAY1),
                ("token via AZERTY layout, admission",
                 [signer.sign(a.ref).translate(AZERTY) for a in fresh[half:2 * half]], "ok",
                 DAY1),
                ("repeat: already_checked_in",
                 [signer.sign(a.ref) for a in people[: min(n // 2, SCANS)]
                  if a.registered_for(DAY1)], "already_checked_in", DAY1),
                ("a name: malformed", [f"given{i} family" for i in range(SCANS)], "malformed",
                 DAY1),
                ("unknown code-like text", [f"ZX{i:06d}Q" for i in range(SCANS)], "unknown",
                 DAY1),
            ]
            for label, texts, expect, day in cases:
                samples = timed(engine, texts, expect, day)
                results.append(summarise(f"scan {n:,} attendees: {label}", BUDGET, samples,
                                         note="durable commit included" if expect == "ok"
                                         else ""))
            engine.store.db.conn.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results
