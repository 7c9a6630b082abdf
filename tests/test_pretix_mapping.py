"""checkin.pretix.mapping without a server: the rules for the shapes the seeded pretix
does not produce (other name schemes, invoice-address fallbacks, notes written at the
desk). What pretix really sends is tested against the real server (test_pretix_pull.py)."""

from checkin.pretix.mapping import Product, attendee_of, merged_notes

PRODUCTS = {1: Product("Delegate ticket"), 2: Product("Conference ticket", {7: "Speaker"})}
ORDER = {"code": "ABC12", "status": "p", "email": "order@example.org",
         "invoice_address": {"company": "Institut Pasteur", "country": "FR",
                             "name_parts": {"given_name": "Inès", "family_name": "Leroy"}}}


def position(**fields: object) -> dict[str, object]:
    return {"id": 9, "positionid": 2, "item": 1, "variation": None, "secret": "s3cr3t",
            "attendee_name_parts": {}, "attendee_name": None, "company": None,
            "country": None, "attendee_email": None, "canceled": False, **fields}


def test_fallbacks_to_the_order_and_its_invoice_address() -> None:
    mapped = attendee_of(position(), ORDER, PRODUCTS, addons=[])
    a = mapped.attendee
    assert (a.id, a.code, a.given_name, a.family_name) == ("ABC12-2", "s3cr3t", "Inès", "Leroy")
    assert (a.organisation, a.country, a.email) == ("Institut Pasteur", "FR",
                                                    "order@example.org")
    assert a.status == "confirmed" and a.role == "delegate"
    assert "title" not in mapped.carried  # no title in pretix keeps one set by hand


def test_name_schemes_titles_and_salutations() -> None:
    full = attendee_of(position(attendee_name_parts={"_scheme": "full",
                                                     "full_name": "Prof. Dr. Hans Weber"}),
                       ORDER, PRODUCTS, addons=[]).attendee
    assert (full.title, full.given_name, full.family_name) == ("Prof. Dr.", "Hans", "Weber")
    parts = {"_scheme": "salutation_title_given_family", "salutation": "Ms",
             "title": "Dr.", "given_name": "Mary", "family_name": "Major"}
    mapped = attendee_of(position(attendee_name_parts=parts), ORDER, PRODUCTS, addons=[])
    assert (mapped.attendee.title, mapped.attendee.extra) == ("Dr.", {"salutation": "Ms"})
    assert "title" in mapped.carried
    cjk = attendee_of(position(attendee_name_parts={"given_name": "太郎",
                                                    "family_name": "山田"}, country="JP"),
                      ORDER, PRODUCTS, addons=[]).attendee
    assert cjk.name_order == "family_first"


def test_role_from_the_variation_and_status_from_the_order() -> None:
    speaker = attendee_of(position(item=2, variation=7), ORDER, PRODUCTS, addons=[]).attendee
    assert speaker.role == "speaker"
    for status, expected in (("n", "confirmed"), ("c", "cancelled"), ("e", "cancelled")):
        order = {**ORDER, "status": status}
        assert attendee_of(position(), order, PRODUCTS, addons=[]).attendee.status == expected
    assert attendee_of(position(canceled=True), ORDER, PRODUCTS,
                       addons=[]).attendee.status == "cancelled"
    unknown = attendee_of(position(country="Atlantis"), ORDER, PRODUCTS, addons=[]).attendee
    assert unknown.country == "" and unknown.extra["country"] == "Atlantis"


def test_addons_replace_their_line_and_keep_the_desks_notes() -> None:
    notes = "needs a wheelchair ramp\nAdd-ons: Conference dinner"
    assert merged_notes(notes, ["Workshop A", "Workshop B"]) == (
        "needs a wheelchair ramp\nAdd-ons: Workshop A, Workshop B")
    assert merged_notes(notes, []) == "needs a wheelchair ramp"
    assert merged_notes("", ["Dinner"]) == "Add-ons: Dinner"
