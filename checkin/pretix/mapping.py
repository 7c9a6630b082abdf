"""A pretix order position as an attendee: the same fields the CSV import gives it.

Contract: ``attendee_of(position, order, products) -> Mapped`` (pure, no I/O). The rules
follow checkin/importing for pretix's own "Order positions" export, so that an event
started from the file and switched to the API keeps every person under the same id with
the same values (tests/test_pretix_pull.py imports pretix's export, then pulls):

- id ``ORDER-POSITIONID``; code = the ticket secret (what pretix's QR code holds).
- attendee_name_parts: title (a salutation in it goes to extra["salutation"]), given
  name (a middle name joins it), family name; a scheme with only a full name is split as
  the import splits a "Name" column; no name at all: the invoice address's name.
- company, else the invoice address's company; country (pretix sends ISO codes; anything
  else is read as the import reads it), else the invoice address's country;
  attendee_email, else the order's e-mail.
- role: the product's name through the role words of assets/roles.toml, else the
  variation's ("Conference ticket" / "Invited speaker" is a speaker).
- status: cancelled for cancelled and expired orders and cancelled positions; pending
  orders stay registered, as in the import (pretix's own scanners refuse them unless the
  list admits pending orders).
- add-on positions (a workshop, a dinner) are no attendees: their products become one
  line "Add-ons: ..." in the notes of the position they belong to; other lines of the
  notes (written at the desk) are kept.
"""

from dataclasses import dataclass, field
from typing import Any

from checkin.importing import values
from checkin.models import Attendee
from checkin.text import clean_text

ADDONS_PREFIX = "Add-ons: "
CANCELLED_ORDER_STATES = ("c", "e")  # pretix: canceled, expired


@dataclass
class Product:
    name: str
    variations: dict[int, str] = field(default_factory=dict)


@dataclass
class Mapped:
    attendee: Attendee
    carried: frozenset[str]  # the fields pretix carries for it (see importer.Incoming)
    secret: str


def product_names(items: list[dict[str, Any]]) -> dict[int, Product]:
    """pretix's products (GET .../items/) by id, names in English or the first language."""
    products = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            continue
        variations = {v["id"]: text_of(v.get("value")) for v in item.get("variations") or []
                      if isinstance(v, dict) and isinstance(v.get("id"), int)}
        products[item["id"]] = Product(text_of(item.get("name")), variations)
    return products


def text_of(value: Any) -> str:
    """pretix's translated strings ({"en": ..., "de": ...}): English, else the first."""
    if isinstance(value, dict):
        for key in ("en", *value):
            if isinstance(value.get(key), str) and value[key]:
                return str(value[key])
        return ""
    return str(value) if value is not None else ""


def position_id(order: dict[str, Any], position: dict[str, Any]) -> str:
    return f"{order['code']}-{position['positionid']}"


def _text(value: Any) -> str:
    return clean_text(str(value)) if value not in (None, "") else ""


def product_label(position: dict[str, Any], products: dict[int, Product]) -> str:
    product = products.get(position.get("item") or 0)
    if product is None:
        return f"product {position.get('item')}"
    variation = product.variations.get(position.get("variation") or 0)
    return f"{product.name} ({variation})" if variation else product.name


def merged_notes(old: str, addons: list[str]) -> str:
    """old notes with their "Add-ons: " line replaced by the current add-ons."""
    lines = [line for line in old.splitlines() if not line.startswith(ADDONS_PREFIX)]
    if addons:
        lines.append(ADDONS_PREFIX + ", ".join(addons))
    return "\n".join(lines)


def attendee_of(position: dict[str, Any], order: dict[str, Any],
                products: dict[int, Product], *, addons: list[str],
                old_notes: str = "") -> Mapped:
    invoice = order.get("invoice_address") or {}
    extra: dict[str, Any] = {}
    country_text = _text(position.get("country")) or _text(invoice.get("country"))
    country = values.parse_country(country_text) if country_text else ""
    if country is None:
        extra["country"] = country_text
        country = ""
    parts = position.get("attendee_name_parts") or {}
    if not _named(parts) and not _text(position.get("attendee_name")):
        parts = invoice.get("name_parts") or {}
    given = " ".join(p for p in (_text(parts.get("given_name")), _text(parts.get("middle_name")))
                     if p)
    family = _text(parts.get("family_name"))
    title_text = _text(parts.get("title"))
    salutation = _text(parts.get("salutation"))
    title = ""
    if not given and not family:
        full = _text(parts.get("full_name")) or _text(position.get("attendee_name"))
        if full:
            split = values.split_full_name(full, country)
            given, family = split.given_name, split.family_name
            title, salutation = split.title, salutation or split.salutation
            if split.suffix:
                extra["suffix"] = split.suffix
    if title_text:
        title, title_salutation = values.split_title(title_text)
        salutation = salutation or title_salutation
    elif not title and " " in given:
        title, peeled, given = values.peel_titles(given)
        salutation = salutation or peeled
    if salutation:
        extra["salutation"] = salutation
    product = products.get(position.get("item") or 0)
    role = values.parse_role(product.name) if product else "delegate"
    if role == "delegate" and product is not None:
        variation = product.variations.get(position.get("variation") or 0)
        if variation:
            role = values.parse_role(variation)
    cancelled = (order.get("status") in CANCELLED_ORDER_STATES
                 or bool(position.get("canceled")))
    secret = _text(position.get("secret"))
    attendee = Attendee(
        id=position_id(order, position), code=secret or None, title=title,
        given_name=given, family_name=family, organisation=(
            _text(position.get("company")) or _text(invoice.get("company"))),
        country=country, role=role,
        email=_text(position.get("attendee_email")) or _text(order.get("email")),
        status="cancelled" if cancelled else "confirmed",
        notes=merged_notes(old_notes, addons), extra=extra,
        name_order=values.infer_name_order(given, family, country))
    carried = {"code", "given_name", "family_name", "organisation", "country", "role",
               "email", "status", "notes"}
    if title:
        carried.add("title")  # as in the import: no title in pretix keeps one set by hand
    return Mapped(attendee, frozenset(carried), secret)


def _named(parts: dict[str, Any]) -> bool:
    return any(value for key, value in parts.items() if not key.startswith("_"))
