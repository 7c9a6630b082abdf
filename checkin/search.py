"""Type-ahead search over attendees (placeholder: the search work replaces this module)."""

import unicodedata

from checkin.models import Attendee


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_key(attendee: Attendee) -> str:
    """The text a search matches against, stored in attendees.search_key."""
    fields = (attendee.given_name, attendee.family_name, attendee.badge_name,
              attendee.organisation, attendee.email, attendee.code or "", attendee.id)
    return " ".join(fold(f) for f in fields if f)
