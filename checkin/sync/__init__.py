"""Desks in sync: one hub (the organiser's event database served over HTTP) and desks
that push their own events to it and pull everybody else's. docs/sync.md has the protocol.

Modules (none imports Qt or ui; the heavy ones are imported only where they are used):

- ``checkin.sync.protocol``: API prefix, limits, the event types a hub accepts, the wire
  form of an event and the checks of its payload (no third-party imports).
- ``checkin.sync.apply``: append events from elsewhere to a log with their own uuid,
  station and time, once per uuid, and apply what they change (attendees, refs, keys).
- ``checkin.sync.stations``: the hub's registry of desks and their tokens.
- ``checkin.sync.hub``: the ASGI app (FastAPI) and ``serve()`` on uvicorn.
- ``checkin.sync.client``: what a desk calls: ``sync_once``, ``outbox_count``, the
  remembered hub URL, token and certificate fingerprint.
- ``checkin.sync.tls``: certificate fingerprints, the hub's self-signed certificate, the
  desk's pinned TLS context (standard library; ``cryptography`` only to make a cert).
- ``checkin.sync.pairing``: the pairing code (``CKHUB1:...``): ``parse``, ``make``, and
  ``pair`` for the station app.

Invariants: the log is the truth on both sides and an event is stored once per uuid, so
every request can be repeated after a lost answer; every applied batch is one
transaction, so a failed sync leaves a database as it was before that batch.
"""
