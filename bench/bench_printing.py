"""Print queue: from "print this badge" to the printer having it.

- queue overhead: enqueue -> process -> done into a PDF folder with a prebuilt PDF, so
  what is measured is the queue (durable SQLite writes, claim, event) and the file;
- the same with the real A6 badge render;
- CUPS: `lp` spooling (submit returns) and spool -> cups-pdf reports the job completed,
  when the private test server (tests/cups_server.py) can run here.
"""

import io
import tempfile
import time
from pathlib import Path

from bench.harness import Result, measure, summarise


def _store(folder: Path, count: int):
    from checkin.db import open_db
    from checkin.models import Attendee
    from checkin.store import Store

    store = Store(open_db(folder / "bench.sqlite", create=True), station="bench")
    store.set_event("Bench Congress", ["2026-12-01"])
    with store.transaction():
        for n in range(count):
            store.add_attendee(Attendee(id=f"B{n:04d}", given_name="Ana", family_name=f"Lima {n}",
                                        organisation="Charité Berlin", country="DE"))
    return store


def _tiny_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(298, 420))
    pdf.drawString(20, 380, "badge")
    pdf.save()
    return out.getvalue()


def run() -> list[Result]:
    from checkin.printing.pdf_folder import PdfFolderBackend
    from checkin.printing.queue import PrintQueue
    from checkin.printing.render import badge_renderer

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = _store(folder, 200)
        queue = PrintQueue(store)
        backend = PdfFolderBackend(folder / "printed")
        pdf = _tiny_pdf()
        ids = iter(f"B{n:04d}" for n in range(200))

        def one(render) -> None:
            job = queue.enqueue(next(ids), layout="a6")
            [done] = queue.process(backend, render, job_ids=[job.id])
            assert done.state == "done", done.reason

        samples = measure(lambda: one(lambda job: pdf), runs=60, warmup=2)
        results.append(summarise("print queue: enqueue to done, PDF folder", "-", samples,
                                 "prebuilt PDF; 3 durable transactions + fsync'd file"))
        render = badge_renderer(store)
        samples = measure(lambda: one(render), runs=40, warmup=2)
        results.append(summarise("print queue: enqueue to done, real A6 render", "-", samples,
                                 "render + queue + PDF folder"))
        results += _cups(pdf)
    return results


def _cups(pdf: bytes) -> list[Result]:
    from tests import cups_server

    try:
        info = cups_server.start()
    except cups_server.Unavailable as exc:
        return [Result("print queue: CUPS spool", "-", 0, 0, 0, f"skipped: {exc}")]
    import os

    from checkin.printing.cups import CupsBackend

    os.environ["CUPS_SERVER"] = info.socket
    backend = CupsBackend(info.printer)
    spool, complete = [], []
    for _ in range(10):
        start = time.perf_counter()
        job_id = backend.submit(pdf, "bench")
        spool.append((time.perf_counter() - start) * 1000)
        while backend.job_done(job_id) is None:
            time.sleep(0.01)  # CUPS has no completion signal for a client; poll
        complete.append((time.perf_counter() - start) * 1000)
    return [summarise("print queue: CUPS lp spool (submit returns)", "-", spool, "lp -d"),
            summarise("print queue: CUPS spool to completed", "-", complete,
                      "cups-pdf (ghostscript) on the private server")]
