"""`checkin print`: put badges in the station's print queue, spool them, show the queue."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click

from checkin.cli.context import CliContext, pass_cli
from checkin.config import StationConfig
from checkin.errors import CheckinError
from checkin.printing.backend import backend_names, make_backend
from checkin.printing.queue import DONE, FAILED, PENDING, Job, PrintQueue
from checkin.store import Store

RECENT = 10  # finished jobs --status shows besides everything still open


@click.command("print")
@click.argument("ids", nargs=-1)
@click.option("--printer", help="Printer: CUPS queue name, PDF folder, or Brother device "
              "(default: the station config). Without --backend: a CUPS queue of that name, "
              "else an existing folder; anything else is refused with the choices.")
@click.option("--layout", help="Badge layout (default: the station config; see `checkin layouts`).")
@click.option("--backend", "backend_name", type=click.Choice(backend_names()),
              help="How to print (default: the station config; pdf when none is set up).")
@click.option("--reprint", is_flag=True, help="Print another badge for someone who has one.")
@click.option("--reason", default="", help="Why a reprint is needed (required with --reprint).")
@click.option("--operator", default=None, help="Who asks (default: the station config).")
@click.option("--status", is_flag=True, help="Show the printer and the print queue.")
@click.option("--all", "show_all", is_flag=True, help="With --status: every job ever queued.")
@click.option("--retry", is_flag=True, help="Requeue failed jobs and print everything waiting, "
              "each job on the printer it was queued for (or on --printer/--backend).")
@click.option("--cancel", "cancel_ids", type=int, multiple=True, metavar="JOB",
              help="Cancel a queued, failed or spooled print job (repeatable).")
@pass_cli
def print_(cli: CliContext, ids: tuple[str, ...], printer: str | None, layout: str | None,
           backend_name: str | None, reprint: bool, reason: str, operator: str | None,
           status: bool, show_all: bool, retry: bool, cancel_ids: tuple[int, ...]) -> None:
    """Print badges for attendee IDs through the station's print queue.

    Returns once the jobs are spooled. A printer that is off, stopped or out of paper
    loses nothing: the jobs wait in the queue and print on the next `checkin print
    --retry` or from the station app once the printer is back.
    """
    actions = sum([bool(ids), status, retry, bool(cancel_ids)])
    if actions == 0:
        raise click.UsageError("give attendee IDs to print, or --status, --retry or --cancel")
    if actions > 1:
        raise click.UsageError("IDs, --status, --retry and --cancel go one at a time")
    if reason and not reprint:
        raise click.UsageError("--reason goes with --reprint")
    config = StationConfig.load()
    name = _backend_for(printer, backend_name, config)
    # The configured printer belongs to the configured backend; another backend's default
    # printer is its own default ("" = the CUPS default queue, the default PDF folder).
    target = printer if printer is not None else (
        config.printer if name == config.printer_backend else "")
    from checkin.operators import identity

    store = cli.store(station=config.station, operator=identity(None, operator)[1])
    queue = PrintQueue(store)
    if status:
        _show_status(queue, store, name, target, show_all)
        return
    if cancel_ids:
        _cancel(queue, name, target, cancel_ids)
        return
    if retry and printer is None and backend_name is None:
        # Each waiting job goes to the printer it was queued for: sending a CUPS queue's
        # jobs to the default PDF folder would log badges that never came out.
        requeued = queue.retry_failed()
        if requeued:
            click.echo(f"requeued {_count(len(requeued))}")
        _retry_where_queued(queue, store, cli)
        return
    backend = None if name == "qt" else make_backend(name, target)  # fail before queueing
    if retry:  # --printer/--backend given: everything waiting goes to that printer
        requeued = queue.retry_failed()
        if requeued:
            click.echo(f"requeued {_count(len(requeued))}")
        wanted = None
    else:
        layout = layout or config.layout
        _check_layout(layout)
        with store.transaction():  # all or none: one refused ID queues nothing
            jobs = [queue.enqueue(i, layout=layout, printer=target, backend=name,
                                  reprint=reprint, reason=reason) for i in ids]
        wanted = [job.id for job in jobs]
    if backend is None:
        if wanted is None:
            click.echo("the station app prints the waiting jobs (qt printer backend)")
        else:
            click.echo(f"queued {_count(len(wanted))} for the station app's printer")
        return
    from checkin.printing.render import badge_renderer

    touched = queue.process(backend, badge_renderer(store, db_path=cli.db_path),
                            job_ids=wanted)
    _report(store, touched)


def _backend_for(printer: str | None, backend_name: str | None,
                 config: StationConfig) -> str:
    """The backend for --printer NAME without --backend: the station config's when NAME is
    its printer; else a CUPS queue of that name when one exists; else an existing folder
    is a PDF folder; anything else is refused with the choices, rather than guessed (a
    CUPS queue name taken for a new PDF folder printed nothing)."""
    if backend_name:
        return backend_name
    configured = config.printer_backend or "pdf"
    if printer is None or (printer == config.printer and _backend_configured()):
        return configured
    from checkin.printing.cups import queue_names

    queues = queue_names()
    if queues and printer in queues:
        return "cups"
    if Path(printer).is_dir():
        return "pdf"
    known = (f"CUPS queues here: {', '.join(queues)}" if queues
             else "no CUPS queue here" if queues is not None
             else "CUPS cannot be asked here (lpstat missing)")
    raise CheckinError(
        f"no printer {printer!r}: {known}; a PDF folder must exist (or say --backend pdf); "
        f"other printers: --backend {'|'.join(n for n in backend_names() if n != 'pdf')}")


def _backend_configured() -> bool:
    """Whether the station's settings file names a printer backend itself."""
    import tomllib

    from checkin.config import default_path

    try:
        return "printer_backend" in tomllib.loads(default_path().read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


def _retry_where_queued(queue: PrintQueue, store: Store, cli: CliContext) -> None:
    """Print the waiting jobs, each on its own printer (grouped by backend and printer)."""
    from checkin.printing.render import badge_renderer

    groups: dict[tuple[str, str], list[int]] = {}
    for job in queue.jobs(PENDING):
        groups.setdefault((job.backend, job.printer), []).append(job.id)
    render = badge_renderer(store, db_path=cli.db_path)
    touched: list[Job] = []
    for (backend_name, printer), job_ids in sorted(groups.items()):
        where = f"{backend_name}:{printer}" if printer else backend_name
        if backend_name == "qt":
            click.echo(f"{_count(len(job_ids))} for {where}: the station app prints them")
            continue
        try:
            backend = make_backend(backend_name, printer)
        except CheckinError as exc:
            click.echo(f"{_count(len(job_ids))} for {where} wait: {exc}")
            continue
        touched += queue.process(backend, render, job_ids=job_ids)
    _report(store, touched)


def _count(n: int) -> str:
    return f"{n} job" + ("" if n == 1 else "s")


def _check_layout(layout: str) -> None:
    """Refuse an unknown or broken layout up front rather than failing every job."""
    from checkin.badges.layout import load_layout

    load_layout(layout)


def _who(store: Store, attendee_id: str) -> str:
    attendee = store.attendee(attendee_id)
    name = attendee.display_name if attendee else ""
    return f"{attendee_id} {name}".strip()


def _report(store: Store, jobs: list[Job]) -> None:
    if not jobs:
        click.echo("nothing to print")
        return
    waiting = []
    failed = []
    for job in jobs:
        who = _who(store, job.attendee_id)
        if job.state == DONE:
            click.echo(f"job {job.id} {who}: printed ({job.backend} {job.backend_job_id})")
        elif job.state == "printing":
            click.echo(f"job {job.id} {who}: spooled to {job.printer or job.backend} "
                       f"as {job.backend} job {job.backend_job_id}")
        elif job.state == FAILED:
            failed.append(job)
            click.echo(f"job {job.id} {who}: failed: {job.reason}")
        else:
            waiting.append(job)
            click.echo(f"job {job.id} {who}: {job.state}: {job.reason}")
    if waiting:
        click.echo(f"{_count(len(waiting))} waiting in the queue; they print once the "
                   "printer is ready (`checkin print --retry`, or the station app)")
    if failed:
        raise CheckinError(f"{_count(len(failed))} failed (see above; "
                           "`checkin print --retry` tries again)")


def _cancel(queue: PrintQueue, name: str, target: str, job_ids: Iterable[int]) -> None:
    for job_id in job_ids:
        job = queue.job(job_id)
        backend = None
        if job.state == "printing" and job.backend in ("cups",):
            backend = make_backend(job.backend, job.printer or target)
        cancelled = queue.cancel(job_id, backend)
        click.echo(f"job {cancelled.id}: cancelled")


def _printer_state(name: str, target: str) -> str:
    if name == "qt":
        return "printed by the station app (qt)"
    try:
        backend = make_backend(name, target)
        return f"{backend.name} {backend.printer}: {backend.status()}"
    except CheckinError as exc:
        return f"{name} {target}: {exc}".replace("  ", " ")


def _settle(queue: PrintQueue) -> None:
    """Ask the printers about jobs they hold, so the list says what really happened."""
    held = {(j.backend, j.printer) for j in queue.jobs(["printing"]) if j.backend_job_id}
    for backend_name, printer in sorted(held):
        if backend_name == "qt":
            continue
        try:
            queue.poll(make_backend(backend_name, printer))
        except CheckinError:
            continue  # that printer cannot be asked from here; the list shows the last word


def _show_status(queue: PrintQueue, store: Store, name: str, target: str,
                 show_all: bool) -> None:
    click.echo(f"printer: {_printer_state(name, target)}")
    # The printers that jobs still wait for, when they are not this station's printer.
    others = sorted({(j.backend, j.printer) for j in queue.jobs(PENDING)} - {(name, target)})
    for backend_name, printer in others:
        click.echo(f"printer: {_printer_state(backend_name, printer)} (has waiting jobs)")
    _settle(queue)
    counts = queue.counts()
    click.echo("queue: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
    jobs = queue.jobs()
    if not show_all:
        open_jobs = [j for j in jobs if j.state in (*PENDING, FAILED)]
        finished = [j for j in jobs if j.state not in (*PENDING, FAILED)][-RECENT:]
        jobs = sorted(open_jobs + finished, key=lambda j: j.id)
    for job in jobs:
        detail = job.reason
        if job.reprint:
            detail = f"reprint: {job.reprint_reason}" + (f"; {detail}" if detail else "")
        where = f"{job.backend}:{job.printer}" if job.printer else job.backend
        click.echo(f"{job.id:>5}  {job.state:<9}  {_who(store, job.attendee_id)}  "
                   f"[{job.layout}, {where}, {job.updated[:19].replace('T', ' ')}, "
                   f"by {job.operator or job.station}]" + (f"  {detail}" if detail else ""))
