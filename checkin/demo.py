"""The demo event: 400 delegates from 61 countries, names in their own scripts.

``create_demo(store, *, today=None) -> int`` fills an empty event database (from
``checkin.db.open_db(path, create=True)``) and returns the number of attendees. Seeded: the
same people, codes and refs every time; only the two event days (today, tomorrow) move.
The meta key ``demo`` is "1" in a demo database. The name pools and settings are data:
assets/demo/countries.json and assets/demo/event.json.
``demo_attendees(today)`` returns the list without writing (tests, benchmarks).
"""

import json
import random
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any

from anyascii import anyascii

from checkin import clock, resources
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.search import search_key
from checkin.store import Store

_REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as checkin.store: QR-alphanumeric
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # pretix-like secrets


@cache
def countries() -> dict[str, dict[str, Any]]:
    """Name pools per ISO country code (assets/demo/countries.json)."""
    data = json.loads((resources.assets() / "demo" / "countries.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@cache
def settings() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (resources.assets() / "demo" / "event.json").read_text("utf-8"))
    return data


def _weighted(rng: random.Random, table: dict[str, int], count: int,
              at_least: int = 0) -> list[str]:
    """count keys in the shares of table (largest remainder, each at least at_least), shuffled."""
    total = sum(table.values())
    quota = {k: max(at_least, w * count / total) for k, w in table.items()}
    out: list[str] = []
    for key, q in quota.items():
        out += [key] * int(q)
    by_remainder = sorted(quota, key=lambda k: int(quota[k]) - quota[k])
    out += by_remainder[:max(0, count - len(out))]
    out = out[:count]
    rng.shuffle(out)
    return out


def pick_name(rng: random.Random, pool: dict[str, Any]) -> tuple[str, str]:
    """(given, family) from a country pool; gendered pools keep the family name's form
    (Смирнов/Смирнова) matching the given name."""
    if "given" in pool:
        return rng.choice(pool["given"]), rng.choice(pool["family"])
    female = rng.random() < 0.5
    given = rng.choice(pool["given_f" if female else "given_m"])
    k = rng.randrange(len(pool["family_m"]))
    return given, pool["family_f" if female else "family_m"][k]


def _slug(text: str) -> str:
    return "".join(ch for ch in anyascii(text).lower() if ch.isascii() and ch.isalnum())


@cache
def _latin_names() -> dict[str, str]:
    data = json.loads((resources.assets() / "demo" / "countries.json").read_text("utf-8"))
    return dict(data.get("_latin", {}))


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                          "ß": "ss"})


def _name_slug(name: str, tld: str) -> str:
    """How the person spells the name in an e-mail address: the demo data's Latin
    spelling (Hebrew, Arabic, Thai, Hindi), else the usual romanisation (Japanese kanji as
    Japanese, Greek, Cyrillic, Hangul: checkin.romanise), else anyascii; German umlauts
    as ae/oe/ue in German-speaking countries (joerg.schroeder, not jorg.schroder)."""
    from checkin.romanise import LATIN, romanise, word_script

    if name in _latin_names():
        return _latin_names()[name]
    if tld in ("de", "at", "ch"):
        name = name.translate(_UMLAUTS)
    words = []
    for word in name.replace("-", " ").split():
        spelled = romanise(word) if word_script(word) != LATIN else ()
        words.append(_slug(spelled[0]) if spelled else _slug(word))
    return "".join(words)


def _email(given: str, family: str, org: str, tld: str) -> str:
    first = given.split()[0] if given else ""
    local = ".".join(p for p in (_name_slug(first, tld), _name_slug(family, tld)) if p)
    words = [w for w in (_slug(w) for w in org.split()) if len(w) > 2][:2]
    domain = "-".join(words) or "example"
    return f"{local or 'delegate'}@{domain}.example.{tld}"


def demo_attendees(today: date | None = None) -> tuple[str, list[str], list[Attendee]]:
    """(event name, days, attendees) of the demo event, without touching a database."""
    conf = settings()
    pools = countries()
    rng = random.Random(conf["seed"])
    d0 = today or date.today()
    days = [d0.isoformat(), (d0 + timedelta(days=1)).isoformat()]
    count = int(conf["delegates"])

    # Every pool at least once, the rest in proportion to the weights: "more than 40
    # countries", and the same mix every time.
    chosen = _weighted(rng, {c: pools[c]["weight"] for c in pools}, count, at_least=1)
    roles = _weighted(rng, conf["roles"], count)
    titles = _weighted(rng, conf["titles"], count)

    people: list[Attendee] = []
    seen_names: set[tuple[str, str]] = set()
    for n, country in enumerate(chosen[:count], start=1):
        pool = pools[country]
        for _ in range(20):  # avoid two identical people (a desk would struggle too)
            given, family = pick_name(rng, pool)
            if (given, family) not in seen_names:
                break
        seen_names.add((given, family))
        org = rng.choice(pool["orgs"])
        people.append(Attendee(
            id=f"PMC-{n:04d}",
            code="".join(rng.choice(_CODE_ALPHABET) for _ in range(16)),
            ref="".join(rng.choice(_REF_ALPHABET) for _ in range(12)),
            title=titles[n - 1],
            given_name=given,
            family_name=family,
            name_order=pool["order"],
            organisation=org,
            country=pool.get("country", country),
            role=roles[n - 1],
            email=_email(given, family, org, pool["email"]),
        ))

    for person, long in zip(people, conf["long_names"], strict=False):
        pool = pools[long["country"]]
        person.country = long["country"]
        person.name_order = pool["order"]
        person.title = long["title"]
        person.given_name, person.family_name = long["given_name"], long["family_name"]
        person.organisation = long["organisation"]
        person.email = _email(person.given_name, person.family_name, person.organisation,
                              pool["email"])

    _sprinkle(rng, people, days, conf)
    return conf["event_name"], days, people


def _sprinkle(rng: random.Random, people: Sequence[Attendee], days: list[str],
              conf: dict[str, Any]) -> None:
    """Cancelled registrations, one-day tickets, notes and badge names on a few people."""
    picks = rng.sample(range(len(people)), len(people))
    n_cancel, n_one_day = int(conf["cancelled"]), int(conf["one_day_only"])
    for i in picks[:n_cancel]:
        people[i].status = "cancelled"
    for k, i in enumerate(picks[n_cancel:n_cancel + n_one_day]):
        people[i].days = [days[k % 2]]
    for i in rng.sample(range(len(people)), len(conf["notes"]) * 2):
        people[i].notes = rng.choice(conf["notes"])
    multi = [p for p in people if " " in p.given_name and p.name_order == "given_first"]
    for p in multi[: int(conf["with_badge_name"])]:
        p.badge_name = f"{p.given_name.split()[0]} {p.family_name}"


def create_demo(store: Store, *, today: date | None = None) -> int:
    """Fill an empty event database with the demo event; the number of attendees."""
    name, days, people = demo_attendees(today)
    with store.transaction():
        # Checked inside the write lock: an `init` at the same time either finished before
        # (then this refuses) or waits and then finds the demo event.
        if store.meta("event_name") is not None or store.attendee_count():
            raise CheckinError(f"{store.path} already holds an event; the demo needs an "
                               "empty database")
        store.set_event(name, days)
        # The days are this machine's today and tomorrow: its time zone is the event's.
        store.set_meta(clock.ZONE_KEY, clock.local_zone_name())
        store.set_meta("demo", "1")  # lets the station say "demo event" where it matters
        for person in people:
            store.add_attendee(person, search_key=search_key(person), source="demo")
    return len(people)
