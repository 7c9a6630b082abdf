"""Import of a 100,000-row pretix-style CSV through the same function `checkin import`
calls (checkin.importing.import_file), into a fresh event database each run; a
re-import of the same file (every row unchanged), which reads and compares instead;
the same rows into an event that has attendees already (written in chunks so that desks
keep admitting); and the same rows as an XLSX workbook (no budget in the issue; for
comparison).

Budget: <= 5 s for 100,000 rows of CSV (README, Benchmarks).
"""

import csv
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import Result, measure, summarise

ROWS = 100_000
RUNS = 3

_GIVEN = ["Anna", "Jürgen", "Renée", "Iñaki", "Lukáš", "Grzegorz", "Krisztina", "Mustafa",
          "Δήμητρα", "Дмитрий", "Тарас", "יוסף", "ليلى", "राहुल", "秀英", "さくら", "서연",
          "Văn Thành", "Nomvula", "Ólafur", "Seán", "Kalani", "Ngozi", "Camila", "Friederike"]
_FAMILY = ["Schäfer-Weiß", "Dubois-Lévêque", "Etxeberria", "Novotný", "Brzęczyszczykiewicz",
           "Horváth", "Öztürk", "Αλεξίου", "Волков", "Шевченко", "לוי", "حسن", "वर्मा", "王",
           "高橋", "이", "Trần", "Mokonyane", "Guðmundsson", "Ó Súilleabháin", "Akana",
           "Okonjo-Iweala", "Rodríguez Pérez", "Müller", "O'Brien"]
_COUNTRIES = ["Germany", "France", "Spain", "Czechia", "Poland", "Hungary", "Türkiye", "Greece",
              "Russian Federation", "Ukraine", "Israel", "Lebanon", "India", "China", "Japan",
              "South Korea", "Vietnam", "South Africa", "Iceland", "Ireland", "United States",
              "Nigeria", "Chile", "USA", "UK", "Korea, Republic of", "Czech Republic"]
_PRODUCTS = ["Conference ticket"] * 12 + ["Speaker ticket (Conference)", "Press pass", "Staff",
                                           "Exhibitor pass", "VIP / Ministry delegation"]
_STATUS = ["p"] * 20 + ["n", "c", "e"]
_ORGS = ["Universitätsklinikum Hamburg-Eppendorf", "Hôpital Necker – Enfants malades",
         "Universidad del País Vasco", "复旦大学附属中山医院",
         "Charité – Universitätsmedizin Berlin",
         "Lagos University Teaching Hospital", "Queen's Medical Center"]
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def make_csv(path: Path, rows: int = ROWS, seed: int = 2) -> None:
    rng = random.Random(seed)
    header = ["Order code", "Position ID", "Order status", "Attendee name: Title",
              "Attendee name: Given name", "Attendee name: Family name", "Product", "E-mail",
              "Company", "Country", "Secret", "Order date"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(rows):
            code = "".join(rng.choice(_ALPHABET) for _ in range(5)) + f"{i:05d}"
            given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
            writer.writerow([
                code, "1", rng.choice(_STATUS), rng.choice(["", "", "", "Dr.", "Prof. Dr."]),
                given, family, rng.choice(_PRODUCTS), f"p{i}@example.org", rng.choice(_ORGS),
                rng.choice(_COUNTRIES), "".join(rng.choice(_ALPHABET.lower()) for _ in range(32)),
                "2026-10-01T12:00:00",
            ])


def make_xlsx(source: Path, path: Path) -> None:
    """The CSV's rows as a workbook, written the way pretix writes its XLSX exports."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Orders")
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    book.save(path)


def _cpu(fn: Callable[[], None], cpu: list[float]) -> Callable[[], None]:
    """fn, also recording its process CPU seconds: on a shared, loaded machine the wall
    clock measures the neighbours as much as the import."""
    def timed() -> None:
        start = time.process_time()
        fn()
        cpu.append(time.process_time() - start)
    return timed


def _note(cpu: list[float]) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{ROWS} rows; cpu median {statistics.median(cpu):.2f} s; load avg {load:.1f}"


def run() -> list[Result]:
    from checkin.db import open_db
    from checkin.importing import import_file
    from checkin.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "pretix_100k.csv"
        make_csv(source)
        counter = iter(range(1000))

        def fresh_import(file: Path = source) -> None:
            path = folder / f"event{next(counter)}.sqlite"
            store = Store(open_db(path, create=True))
            store.set_event("Bench", ["2026-12-01", "2026-12-02"])
            summary = import_file(store, file)
            assert summary.added == ROWS, summary.line()
            store.db.conn.close()

        fresh_cpu: list[float] = []
        fresh = measure(_cpu(fresh_import, fresh_cpu), runs=RUNS, warmup=0)

        seed = folder / "seed.csv"
        make_csv(seed, 1_000, seed=7)

        def populated_import() -> None:
            # An event that already has attendees: written in short chunks so that desks
            # keep admitting (checkin.importing.importer, "Desks keep admitting").
            path = folder / f"event{next(counter)}.sqlite"
            store = Store(open_db(path, create=True))
            store.set_event("Bench", ["2026-12-01", "2026-12-02"])
            import_file(store, seed)
            started = time.process_time()
            summary = import_file(store, source)
            populated_cpu.append(time.process_time() - started)
            assert summary.added == ROWS, summary.line()
            store.db.conn.close()

        populated_cpu: list[float] = []
        populated = measure(populated_import, runs=RUNS, warmup=0)

        workbook = folder / "pretix_100k.xlsx"
        make_xlsx(source, workbook)
        xlsx_cpu: list[float] = []
        xlsx = measure(_cpu(lambda: fresh_import(workbook), xlsx_cpu), runs=RUNS, warmup=0)

        target = folder / "reimport.sqlite"
        store = Store(open_db(target, create=True))
        import_file(store, source)

        def reimport() -> None:
            summary = import_file(store, source)
            assert summary.unchanged == ROWS, summary.line()

        again_cpu: list[float] = []
        again = measure(_cpu(reimport, again_cpu), runs=RUNS, warmup=0)
        store.db.conn.close()
    return [
        summarise("import 100k-row CSV (fresh db)", "<= 5000 ms", fresh, _note(fresh_cpu)),
        summarise("import 100k-row CSV into an event of 1,000 (chunked)", "-", populated,
                  _note(populated_cpu) + "; wall time includes a 1,000-row first import"),
        summarise("re-import 100k-row CSV (unchanged)", "<= 5000 ms", again, _note(again_cpu)),
        summarise("import 100k-row XLSX (fresh db)", "-", xlsx, _note(xlsx_cpu)),
    ]
