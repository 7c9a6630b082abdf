"""The live view's HTML: Jinja2 templates from assets/live/templates, autoescaped.

Contract:

- ``page(figures, t, part_url) -> str``: the whole page (templates/page.html), which
  includes its parts (templates/parts.html).
- ``parts(figures, t) -> str``: the parts alone, each an element with ``data-part``: the
  page's script fetches these and replaces the ones that changed.
- ``message(t, heading, text, forward=None) -> str``: a page of one message (not signed
  in, a bad link, a day that is not the event's; with forward, a page that goes on there).
- ``chart(figures, t) -> Chart | None``: the arrivals as bars of an SVG drawn here (no
  script, no library: the figure is static until the next update).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from checkin import resources
from checkin.reports import GroupCount
from checkin.sync.live.figures import LiveFigures
from checkin.sync.live.texts import Texts, country_name, languages, texts

EVERY_MS = 2000  # how often the page asks the hub for its parts
MAX_COUNTRIES = 12  # no-shows by country: beyond this, the biggest 11 and the rest summed
_BAR = 10  # chart units per quarter hour (the SVG stretches to the width)


@dataclass(frozen=True)
class Bar:
    start: str
    count: int
    x: int
    y: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    bar_width: int
    bars: list[Bar]
    first: str
    last: str
    most: int
    label: str


def chart(figures: LiveFigures, t: Texts) -> Chart | None:
    slots = figures.arrivals
    if not slots:
        return None
    most = max(slot.count for slot in slots) or 1
    bars = [Bar(slot.start, slot.count, i * _BAR + 1, round(100 - 100 * slot.count / most, 2),
                round(100 * slot.count / most, 2)) for i, slot in enumerate(slots)]
    busiest = max(slots, key=lambda slot: slot.count)
    label = t.fmt("arrivals_label", first=slots[0].start, last=slots[-1].start,
                  busiest=busiest.start, n=busiest.count)
    return Chart(len(slots) * _BAR, _BAR - 2, bars, slots[0].start, slots[-1].start, most, label)


def _when(context: Any, moment: datetime | None, fmt: str) -> str:
    figures: LiveFigures = context["f"]
    return moment.astimezone(figures.zone).strftime(fmt) if moment else "\u2013"


def _ago(context: Any, moment: datetime | None) -> str:
    if moment is None:
        return ""
    t: Texts = context["t"]
    seconds = max(0, int((context["f"].made_at - moment).total_seconds()))
    if seconds < 120:
        return t.fmt("ago_s", n=seconds)
    if seconds < 2 * 3600:
        return t.fmt("ago_min", n=seconds // 60)
    return t.fmt("ago_h", n=seconds // 3600)


def _share(group: GroupCount) -> float:
    if group.expected <= 0:
        return 100.0 if group.checked_in else 0.0
    return round(min(100.0, 100 * group.checked_in / group.expected), 1)


def _dayname(context: Any, day: str) -> str:
    """A day as the switch shows it: "Tue 1 Dec" / "Di. 1.12."."""
    try:
        moment = datetime.strptime(day, "%Y-%m-%d")
    except ValueError:
        return day
    if context["t"].lang == "de":
        names = ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So.")
        return f"{names[moment.weekday()]} {moment.day}.{moment.month}."
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")
    return f"{names[moment.weekday()]} {moment.day} {months[moment.month - 1]}"


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resources.assets() / "live" / "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined)
    # The filters read the request's language and the figures' time from the context.
    env.filters.update({
        "hm": jinja2.pass_context(lambda c, m: _when(c, m, "%H:%M")),
        "hms": jinja2.pass_context(lambda c, m: _when(c, m, "%H:%M:%S")),
        "ago": jinja2.pass_context(_ago),
        "role": jinja2.pass_context(
            lambda c, key: c["t"].get(f"role_{key}", key) if key else c["t"]["unknown"]),
        "country": jinja2.pass_context(
            lambda c, code: country_name(code, c["t"].lang) if code else c["t"]["unknown"]),
        "printer": jinja2.pass_context(lambda c, state: c["t"].get(f"printer_{state}", state)),
        "skew": lambda seconds: f"{seconds:+.1f} s",
        "share": _share,
        "dayname": jinja2.pass_context(_dayname),
    })
    return env


def _context(figures: LiveFigures, t: Texts) -> dict[str, Any]:
    return {"f": figures, "t": t, "chart": chart(figures, t), "max_countries": MAX_COUNTRIES,
            "registered": sum(1 for d in figures.desks if d.registered)}


def _render(name: str, context: dict[str, Any]) -> str:
    return str(_environment().get_template(name).render(context))


def parts(figures: LiveFigures, t: Texts) -> str:
    return _render("parts.html", _context(figures, t))


def page(figures: LiveFigures, t: Texts, part_url: str, version: str) -> str:
    context = _context(figures, t)
    context.update(part_url=part_url, every_ms=EVERY_MS, version=version,
                   language_links=[(lang, texts(lang)["language_name"])
                                   for lang in languages()])
    return _render("page.html", context)


def message(t: Texts, heading: str, text: str, forward: str | None = None) -> str:
    return _render("message.html", {"t": t, "heading": heading, "text": text,
                                    "forward": forward})
