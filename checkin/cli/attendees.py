"""`checkin attendees`: list or search attendees, as an aligned table or JSON."""

import json
import sys
import unicodedata
from typing import Any

import click

from checkin.cli.context import CliContext, pass_cli
from checkin.models import Attendee

_WIDTHS = {"id": 14, "name": 34, "organisation": 34, "country": 2, "role": 9, "status": 9,
           "in": 5}


def _width(text: str) -> int:
    """Terminal columns: CJK wide characters take two, combining marks none."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def _fit(text: str, width: int) -> str:
    """Cut to width columns (with an ellipsis) and pad, so columns stay aligned."""
    if _width(text) > width:
        out, used = [], 0
        for ch in text:
            w = _width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    return text + " " * (width - _width(text))


def _cell(text: str, width: int) -> str:
    """A right-to-left cell is isolated (FSI ... PDI), so that in a terminal that runs the
    bidi algorithm an Arabic or Hebrew name cannot pull its neighbours into its order."""
    fitted = _fit(text, width)
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return f"\u2068{fitted}\u2069"
    return fitted


def _name(a: Attendee) -> str:
    return f"{a.title} {a.display_name}".strip() if a.title else a.display_name


def _record(a: Attendee, day: str, checked_in: set[str]) -> dict[str, Any]:
    return {
        "id": a.id, "title": a.title, "given_name": a.given_name, "family_name": a.family_name,
        "name_order": a.name_order, "badge_name": a.badge_name, "display_name": a.display_name,
        "organisation": a.organisation, "country": a.country, "role": a.role, "email": a.email,
        "days": a.days, "status": a.status, "code": a.code, "notes": a.notes,
        "registered": a.registered_for(day), "checked_in": a.id in checked_in,
    }


def _table(people: list[Attendee], day: str, checked_in: set[str]) -> str:
    head = {"id": "ID", "name": "NAME", "organisation": "ORGANISATION", "country": "CC",
            "role": "ROLE", "status": "STATUS", "in": "IN"}
    lines = ["  ".join(_fit(head[k], w) for k, w in _WIDTHS.items()).rstrip()]
    for a in people:
        status = a.status if a.registered_for(day) or a.status == "cancelled" else "not today"
        cells = {"id": a.id, "name": _name(a), "organisation": a.organisation,
                 "country": a.country, "role": a.role, "status": status,
                 "in": "yes" if a.id in checked_in else "-"}
        lines.append("  ".join(_cell(cells[k], w) for k, w in _WIDTHS.items()).rstrip())
    return "\n".join(lines)


@click.command()
@click.option("--search", "query", metavar="QUERY",
              help="Type-ahead search: names in any script or romanised, organisation, "
                   "e-mail, code or id.")
@click.option("--day", metavar="YYYY-MM-DD", help="Day for the check-in column (default: today).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="At most N attendees (default: 20 with --search, all without).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@pass_cli
def attendees(cli: CliContext, query: str | None, day: str | None, limit: int | None,
              as_json: bool) -> None:
    """List attendees sorted by family name, or search them (best match first)."""
    from checkin import db
    from checkin.cli.setup import parse_days
    from checkin.clock import event_day

    if day is not None:
        days = parse_days(day)
        if len(days) != 1:
            raise click.BadParameter("give one day", param_hint="--day")
        day = days[0]
    if query is not None and not query.strip():
        raise click.BadParameter("the search is empty", param_hint="--search")
    # A search reads a few pages, not the whole file: the quick check of every page
    # (0.2 s at 100,000 attendees) would be most of its time. SQLite still reports damage
    # on any page it reads (one line, checkin.cli.main).
    store = cli.store(check=db.FULL if query is None else db.FAST)
    day = day or event_day(store)
    if query is not None:
        from checkin.search_cache import open_searcher

        searcher = open_searcher(store, cli.db_path)
        people = searcher.search(store, query, limit=limit or 20, day=day)
        checked_in = {attendee_id for attendee_id, _ in store.admissions_in_force(
            day=day, ids=[a.id for a in people])}
    else:
        from checkin.text import fold_search

        people = sorted(store.all_attendees(),
                        key=lambda a: (fold_search(a.family_name), fold_search(a.given_name),
                                       a.id))
        if limit is not None:
            people = people[:limit]
        checked_in = store.checked_in_ids(day)
    if as_json:
        records = [_record(a, day, checked_in) for a in people]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not people:
        click.echo("no attendees match" if query is not None else "no attendees", err=True)
        return
    click.echo(_table(people, day, checked_in))
    if query is None and limit is None and sys.stdout.isatty():
        click.echo(f"{len(people)} attendees", err=True)
