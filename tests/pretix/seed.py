"""Seed a fresh pretix database for the project's tests and benchmarks.

Runs inside the pretix virtual environment (tests/pretix_server.py starts it with
DJANGO_SETTINGS_MODULE and PRETIX_CONFIG_FILE set) and writes what the tests need to
the JSON file named by $SEED_OUT: slugs, check-in list ids, the API token of a team and
the token of a second check-in device.

The event looks like the reference congress: two days, several products (one with
variations), two add-on products that are not on the check-in list, attendees from many
countries with titles, orders with several positions, pending, cancelled and expired
orders, a cancelled position and a position without its own e-mail. $SEED_ORDERS sets the
number of orders (the benchmark seeds thousands through bulk inserts, $SEED_BULK=1).
"""

import json
import os
import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import django

django.setup()

from django.db import transaction  # noqa: E402  (after django.setup())
from django.utils.timezone import now  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402
from pretix.base.models import (  # noqa: E402
    CheckinList,
    Device,
    Event,
    Item,
    ItemVariation,
    Order,
    OrderPayment,
    OrderPosition,
    Organizer,
    Team,
    TeamAPIToken,
)
from pretix.base.models.devices import generate_api_token  # noqa: E402

ORDERS = int(os.environ.get("SEED_ORDERS", "60"))
BULK = os.environ.get("SEED_BULK") == "1"
ORGANIZER = os.environ.get("SEED_ORGANIZER", "checkin-test")
EVENT = os.environ.get("SEED_EVENT", "pmc2026")

GIVEN = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ines", "Jonas",
         "Karin", "Lukas", "Maria", "Noah", "Olga", "José", "Zoë", "Søren", "Łukasz", "Émilie",
         "Aiko", "Priya", "Chidi", "Mateus", "Nikos"]
FAMILY = ["Müller", "Schmidt", "Rossi", "García", "Dubois", "Nowak", "Jensen", "Smith",
          "Kowalski", "Bianchi", "Novák", "O'Brien", "van der Berg", "Silva", "Papadopoulos",
          "Horváth", "Nielsen", "Costa", "Lindqvist", "Ivanova", "Tanaka", "Sharma", "Okafor"]
TITLES = ["", "", "", "Dr.", "Prof.", "Prof. Dr.", ""]
COMPANIES = ["Charité Berlin", "Karolinska Institutet", "INSERM", "ISCIII", "ZonMw", "",
             "University of Milan", "Fondazione Cariplo", "Academy of Finland", "NHMRC",
             "RIKEN", "AIIMS Delhi", "University of Lagos", "Fiocruz"]
COUNTRIES = ["DE", "SE", "FR", "ES", "NL", "IT", "FI", "AU", "CA", "PL", "AT", "BE", "JP",
             "IN", "NG", "BR", "US", "GR", "DK", "CH", "IE", "PT", "CZ", "HU", "KR", "ZA"]
# (name, admission, variations): the check-in list holds the admission products.
PRODUCTS = [
    ("Delegate ticket", True, []),
    ("Speaker ticket", True, []),
    ("Press pass", True, []),
    ("Student ticket", True, []),
    ("Exhibitor pass", True, []),
    ("Conference ticket", True, ["Regular", "Invited speaker"]),
]
ADDONS = ["Workshop: Pharmacogenomics", "Conference dinner"]


def main() -> None:
    rnd = random.Random(20261201)
    started = time.time()
    with scopes_disabled(), transaction.atomic():
        organizer = Organizer.objects.create(name="Check-in test organiser", slug=ORGANIZER)
        event = Event.objects.create(
            organizer=organizer, name={"en": "Personalised Medicine Congress"}, slug=EVENT,
            currency="EUR", live=True,
            date_from=datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
            date_to=datetime(2026, 12, 2, 16, 0, tzinfo=UTC),
            plugins="pretix.plugins.banktransfer,pretix.plugins.manualpayment",
        )
        event.set_defaults()
        event.settings.timezone = "Europe/Berlin"
        event.settings.locale = "en"
        event.settings.name_scheme = "title_given_family"
        event.settings.attendee_names_asked = True
        event.settings.attendee_emails_asked = True
        event.settings.attendee_company_asked = True
        event.settings.attendee_addresses_asked = True
        items: list[tuple[Item, ItemVariation | None]] = []
        for name, admission, variations in PRODUCTS:
            item = Item.objects.create(event=event, name=name, default_price=Decimal("0.00"),
                                       admission=admission, active=True)
            if variations:
                for value in variations:
                    items.append((item, ItemVariation.objects.create(item=item, value=value)))
            else:
                items.append((item, None))
        addons = [Item.objects.create(event=event, name=name, default_price=Decimal("0.00"),
                                      admission=False, active=True) for name in ADDONS]
        entrance = CheckinList.objects.create(event=event, name="Main entrance",
                                              all_products=False, include_pending=False)
        entrance.limit_products.set({item for item, _ in items})
        workshop = CheckinList.objects.create(event=event, name="Workshop room",
                                              all_products=True, include_pending=False)
        team = Team.objects.create(organizer=organizer, name="Check-in station",
                                   all_events=True, all_event_permissions=True,
                                   all_organizer_permissions=True)
        token = TeamAPIToken.objects.create(team=team, name="station")
        device = Device.objects.create(
            organizer=organizer, name="Door 2 scanner", all_events=True, initialized=now(),
            api_token=generate_api_token(), software_brand="test-scanner", software_version="1")
    base_seconds = time.time() - started
    with scopes_disabled():
        channel = organizer.sales_channels.get(identifier="web")
        if BULK:
            _bulk_orders(event, items, addons, channel, rnd)
        else:
            for index in range(ORDERS):
                with transaction.atomic():
                    _order(event, items, addons, channel, rnd, index)
    result = {
        "organizer": ORGANIZER, "event": EVENT, "list_id": entrance.pk,
        "other_list_id": workshop.pk, "token": token.token, "device_token": device.api_token,
        "orders": ORDERS, "base_seconds": round(base_seconds, 2),
        "orders_seconds": round(time.time() - started - base_seconds, 2),
    }
    with open(os.environ["SEED_OUT"], "w", encoding="utf-8") as handle:
        json.dump(result, handle)


def _status(index: int) -> str:
    """Mostly paid; a few pending, one cancelled and one expired order (fixed places, so
    that every seed of 20 or more orders has each kind)."""
    return {7: Order.STATUS_PENDING, 11: Order.STATUS_CANCELED, 13: Order.STATUS_EXPIRED,
            17: Order.STATUS_PENDING}.get(index, Order.STATUS_PAID)


def _person(rnd: random.Random, index: int) -> dict[str, object]:
    parts: dict[str, object] = {"_scheme": "title_given_family",
                                "given_name": rnd.choice(GIVEN),
                                "family_name": rnd.choice(FAMILY)}
    title = rnd.choice(TITLES)
    if title:
        parts["title"] = title
    if index % 29 == 5:  # names in their own scripts
        parts.update({"given_name": "Γιώργος", "family_name": "Παπαδόπουλος"})
    return parts


def _order(event, items, addons, channel, rnd: random.Random, index: int) -> None:  # type: ignore[no-untyped-def]
    status = _status(index)
    order = Order.objects.create(
        event=event, status=status, email=f"order{index:05d}@example.org", locale="en",
        total=Decimal("0.00"), sales_channel=channel,
        expires=now() + timedelta(days=10))
    # Every fifth order holds two or three attendees (colleagues booked together).
    people = 1 + (index % 5 == 0) + (index % 10 == 0)
    positionid = 0
    for person in range(people):
        item, variation = items[(index + person) % len(items)]
        positionid += 1
        parent = OrderPosition.objects.create(
            order=order, item=item, variation=variation, positionid=positionid,
            price=Decimal("0.00"), attendee_name_parts=_person(rnd, index),
            # One attendee in nine gave no e-mail of their own: the order's applies.
            attendee_email=None if index % 9 == 4 else f"p{index:05d}.{person}@example.org",
            company=rnd.choice(COMPANIES) or None,
            country=COUNTRIES[(index * 7 + person) % len(COUNTRIES)],
            canceled=index == 20 and person == 1)
        if index % 4 == 1:
            positionid += 1
            OrderPosition.objects.create(order=order, item=addons[index % 8 == 1],
                                         positionid=positionid, price=Decimal("0.00"),
                                         addon_to=parent)
    if status == Order.STATUS_PAID:
        order.payments.create(amount=order.total, provider="manual",
                              state=OrderPayment.PAYMENT_STATE_CONFIRMED,
                              payment_date=order.datetime)
    order.create_transactions(is_new=True)


def _bulk_orders(event, items, addons, channel, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Thousands of paid one-person orders with bulk inserts (no per-order log entries,
    payments or transactions: the check-in API does not read them)."""
    batch = 500
    for start in range(0, ORDERS, batch):
        with transaction.atomic():
            orders = [Order(event=event, organizer=event.organizer,
                            status=Order.STATUS_PAID, code=f"BULK{i:05d}",
                            secret=secrets.token_hex(8), email=f"bulk{i:05d}@example.org",
                            locale="en", total=Decimal("0.00"), sales_channel=channel,
                            datetime=now(), expires=now() + timedelta(days=10))
                      for i in range(start, min(start + batch, ORDERS))]
            Order.objects.bulk_create(orders)
            positions = []
            for offset, order in enumerate(orders):
                item, variation = items[(start + offset) % len(items)]
                parts = _person(rnd, start + offset)
                positions.append(OrderPosition(
                    order=order, organizer=event.organizer, item=item, variation=variation,
                    positionid=1, tax_rate=Decimal("0.00"), tax_value=Decimal("0.00"),
                    pseudonymization_id=f"BULK{start + offset:06d}",
                    price=Decimal("0.00"), attendee_name_parts=parts,
                    attendee_name_cached=f"{parts['given_name']} {parts['family_name']}",
                    attendee_email=f"b{start + offset:05d}@example.org",
                    company=rnd.choice(COMPANIES) or None,
                    country=COUNTRIES[(start + offset) % len(COUNTRIES)],
                    secret=secrets.token_urlsafe(24)[:32]))
            OrderPosition.all.bulk_create(positions)


if __name__ == "__main__":
    main()
