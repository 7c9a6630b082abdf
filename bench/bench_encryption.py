"""What encryption at rest costs a scan: the same scans on a plain and on an encrypted
(SQLCipher) event database, built alike (bench_scan.build: 400 and 100,000 attendees,
half of day one admitted), each timed from the text to the Verdict, the durable commit
included; and what opening costs (the passphrase stretched once per process, then raw
keys: checkin.cipher).

    python -m bench.run encryption
"""

import random
import shutil
import tempfile
import time
from pathlib import Path

from bench.bench_scan import BUDGET, DAY1, DAY2, SCANS, build
from bench.harness import Result, measure, summarise
from checkin import cipher, passphrases
from checkin.admission import Engine
from checkin.db import open_db
from checkin.store import Store

SECRET = "bench passphrase, long enough"


def _cases(signer, people, n: int) -> list[tuple[str, list[str], str, str]]:  # type: ignore[no-untyped-def]
    fresh = [a for a in people[n // 2:] if a.registered_for(DAY1)]
    random.Random(1).shuffle(fresh)
    return [
        ("signed token, first admission", [signer.sign(a.ref) for a in people[-400:]], "ok",
         DAY2),
        ("upstream code, first admission", [a.code or "" for a in fresh[:SCANS]], "ok", DAY1),
        ("repeat: already_checked_in", [signer.sign(a.ref) for a in people[: min(n // 2, SCANS)]
                                        if a.registered_for(DAY1)], "already_checked_in", DAY1),
    ]


def _interleaved(engines: dict[str, Engine], cases: dict[str, list], n: int  # type: ignore[type-arg]
                 ) -> list[Result]:
    """Each case scanned on the plain and the encrypted database in turn, one scan each
    (a shared machine's load then weighs on both alike)."""
    results = []
    labels = list(engines)
    for index, (case, _texts, expect, day) in enumerate(cases[labels[0]]):
        samples: dict[str, list[float]] = {label: [] for label in labels}
        count = min(len(cases[label][index][1]) for label in labels)
        for i in range(count):
            for label in labels:
                text = cases[label][index][1][i]
                start = time.perf_counter()
                verdict = engines[label].scan(text, day=day).verdict
                samples[label].append((time.perf_counter() - start) * 1000)
                if verdict != expect:
                    raise AssertionError(f"{label} {case}: expected {expect}, got {verdict}")
        for label in labels:
            results.append(summarise(
                f"scan {n:,} attendees, {label}: {case}", BUDGET, samples[label][1:],
                note=("durable commit included; " if expect == "ok" else "")
                + "alternating with the other database"))
    return results


def _opening(path: Path) -> list[Result]:
    passphrases.remember(path, SECRET)
    def cold() -> None:
        cipher._derived.clear()  # a new process: the passphrase stretched again
        open_db(path).conn.close()

    def warm() -> None:
        open_db(path).conn.close()

    return [summarise("open encrypted db, first in a process (key derived)", "-",
                      measure(cold, runs=5), note="PBKDF2-HMAC-SHA512, 256,000 rounds"),
            summarise("open encrypted db, key known (lanes, hub threads)", "-",
                      measure(warm, runs=20), note="raw key")]


def run() -> list[Result]:
    results: list[Result] = []
    folder = Path(tempfile.mkdtemp(prefix="bench-crypt-", dir=Path(__file__).parent))
    try:
        for n in (400, 100_000):
            engines: dict[str, Engine] = {}
            cases = {}
            for label, secret in (("plain", None), ("encrypted", SECRET)):
                path = folder / label / f"event-{n}.sqlite"
                path.parent.mkdir(exist_ok=True)
                if secret is not None:
                    passphrases.remember(path, secret)  # open_db makes it encrypted
                built, signer, people = build(path.parent, n, seed=n)
                assert built == path and cipher.is_encrypted(path) == (secret is not None)
                engines[label] = Engine(Store(open_db(path)), station="desk-1",
                                        operator="bench")
                cases[label] = _cases(signer, people, n)
            results += _interleaved(engines, cases, n)
            for engine in engines.values():
                engine.store.db.conn.close()
            if n == 100_000:
                results += _opening(folder / "encrypted" / f"event-{n}.sqlite")
            for label in engines:
                passphrases.forget(folder / label / f"event-{n}.sqlite")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results
