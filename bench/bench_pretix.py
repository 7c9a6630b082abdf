"""pretix: a full pull of ORDERS one-position orders from a local pretix into a fresh
event database, an incremental pull with nothing changed, and a push of ADMISSIONS
admissions (one redeem each; pretix has no batch call), with the number of requests.

The pretix is the tests' (tests/pretix_server.py: the real pretix 2026.8.0, SQLite,
Django's development server, on this machine), seeded through bulk inserts. Its own
time (the development server and SQLite on 2 shared cores) is most of what is measured:
the figures say what a pull and a push cost against a local pretix, not against
pretix.eu. Without .pretix-venv (scripts/setup_pretix.sh) the benchmark is skipped.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Result, summarise

ORDERS = int(os.environ.get("BENCH_PRETIX_ORDERS", "5000"))
ADMISSIONS = int(os.environ.get("BENCH_PRETIX_ADMISSIONS", "1000"))
PULLS = 2


def run() -> list[Result]:
    from checkin.admission import Engine
    from checkin.db import open_db
    from checkin.pretix import connect, pull, push
    from checkin.store import Store
    from tests import pretix_server

    started = time.monotonic()
    try:
        server = pretix_server.start(ORDERS, bulk=True)
    except pretix_server.Unavailable as exc:
        print(f"bench_pretix: skipped: {exc}", file=sys.stderr)
        return []
    seeded = time.monotonic() - started
    load = os.getloadavg()[0]
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pulls, requests, positions = [], 0, 0
            for run_number in range(PULLS):
                path = Path(tmp) / f"event{run_number}.sqlite"
                store = Store(open_db(path, create=True), station="bench")
                connect(store, path, server.url, server.organizer, server.event,
                        server.list_id, server.token)
                begin = time.perf_counter()
                result = pull(store, path)
                pulls.append((time.perf_counter() - begin) * 1000)
                requests, positions = result.requests, result.positions
                assert result.added == ORDERS, result.line()
                if run_number < PULLS - 1:
                    store.close()
            note = (f"{positions} positions, {requests} requests (50 orders a page); "
                    f"pretix seeded in {seeded:.0f} s; load avg {load:.1f}")
            results.append(summarise(f"pretix full pull ({ORDERS} positions)", "-", pulls,
                                     note))

            begin = time.perf_counter()
            again = pull(store, path)
            quiet = [(time.perf_counter() - begin) * 1000]
            results.append(summarise("pretix incremental pull (nothing changed)", "-", quiet,
                                     f"{again.requests} requests, {again.orders} orders"))

            engine = Engine(store)
            for attendee in store.all_attendees()[:ADMISSIONS]:
                engine.check_in(attendee.id)
            begin = time.perf_counter()
            pushed = push(store, path)
            sent = [(time.perf_counter() - begin) * 1000]
            assert pushed.ok == ADMISSIONS, pushed.line()
            results.append(summarise(
                f"pretix push ({ADMISSIONS} admissions)", "-", sent,
                f"{pushed.requests} requests, {sent[0] / pushed.requests:.1f} ms each"))
            store.close()
    finally:
        server.stop()
    return results


if __name__ == "__main__":
    for row in run():
        print(row.row())
