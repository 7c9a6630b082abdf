"""Attendee list and dashboard over 100,000 attendees (60 % checked in).

The queries run on the read lane, off the GUI thread; what the GUI thread itself does
(apply a 100k id list, answer data() for a screenful, fetchMore) is measured separately
and must stay far below the 50 ms budget.
"""

import os
import random
import tempfile
from pathlib import Path

from bench.harness import Result, measure, summarise

N = 100_000
DAY = "2026-12-01"


def _build(path: Path) -> None:
    from checkin.db import open_db
    from checkin.models import Attendee
    from checkin.search import search_key
    from checkin.store import CHECKIN, Store

    rnd = random.Random(7)
    store = Store(open_db(path, create=True), station="bench")
    store.set_event("Bench", [DAY])
    countries = ["DE", "FR", "US", "JP", "CN", "BR", "IN", "GB", "IT", "ES", "NL", "PL"]
    roles = ["delegate"] * 8 + ["speaker", "press", "staff", "exhibitor"]
    people = [Attendee(id=f"A{i:06d}", given_name=f"Given{rnd.randrange(10**6):06d}",
                       family_name=f"Family{i:06d}", organisation=f"Org {i % 997}",
                       country=rnd.choice(countries), role=rnd.choice(roles), ref=f"R{i:08d}")
              for i in range(N)]
    with store.transaction():
        store.write_attendees([(a, search_key(a)) for a in people])
        for i in rnd.sample(range(N), int(N * 0.6)):
            minute = max(0, min(24 * 60 - 1, int(rnd.gauss(9 * 60, 45))))
            store.append(CHECKIN, f"A{i:06d}", day=DAY,
                         time=f"{DAY}T{minute // 60:02d}:{minute % 60:02d}:00.000+01:00")
    store.db.conn.close()


def run() -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QApplication

    from checkin import reports
    from checkin.attendee_list import BY_STATE, IdList, ListQuery, load_ids, load_rows
    from checkin.db import open_db
    from checkin.store import Store
    from ui.attendee_table import AttendeeTableModel, AttendeeTableView

    results = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        _build(path)
        store = Store(open_db(path))
        lane = "read lane, off the GUI thread"

        for name, query in (
            ("list ids, sorted by name", ListQuery(DAY)),
            ("list ids, text filter", ListQuery(DAY, text="family0123")),
            ("list ids, checked in + role", ListQuery(DAY, status="checked_in",
                                                      role="speaker")),
            ("list ids, sorted by status", ListQuery(DAY, sort=BY_STATE)),
        ):
            samples = measure(lambda q=query: load_ids(store, q), runs=7)
            results.append(summarise(name + " (100k)", "-", samples, lane))
        ids = load_ids(store, ListQuery(DAY)).ids
        page = ids[50_000:50_200]
        results.append(summarise("one page of 200 rows", "-",
                                 measure(lambda: load_rows(store, page, DAY), runs=30), lane))
        results.append(summarise("dashboard day report (100k, 60k in)", "-",
                                 measure(lambda: reports.day_report(store, DAY), runs=5), lane))

        app = QApplication.instance() or QApplication([])
        model = AttendeeTableModel(path, DAY, autoload=False)
        view = AttendeeTableView()
        view.setModel(model)
        view.resize(1000, 800)
        generation = [0]

        def apply_ids(same: bool) -> None:
            # What the GUI thread does when a 100k id list arrives from the lane.
            model._generation = generation[0] = generation[0] + 1
            if not same:
                model._ids = []
            model._ids_ready(generation[0], IdList(list(ids), N, [], []), keep_rows=True)

        results.append(summarise("GUI: apply a new 100k id list", "<= 50 ms",
                                 measure(lambda: apply_ids(False), runs=20),
                                 "GUI thread, model reset under a view"))
        results.append(summarise("GUI: apply the same 100k ids (refresh)", "<= 50 ms",
                                 measure(lambda: apply_ids(True), runs=20),
                                 "GUI thread, compare + dataChanged"))

        def screenful() -> None:
            for row in range(40):
                for column in range(6):
                    model.data(model.index(row, column))

        results.append(summarise("GUI: data() for a screenful", "<= 50 ms",
                                 measure(screenful, runs=50), "GUI thread, 40 rows x 6"))

        def fetch_more() -> None:
            model.fetchMore(QModelIndex())

        results.append(summarise("GUI: fetchMore (1000 rows)", "<= 50 ms",
                                 measure(fetch_more, runs=20), "GUI thread"))
        view.deleteLater()
        model.shutdown()
        store.db.conn.close()
        del app
    return results
