"""Small ASGI pieces the hub's two front doors share (the desk API, checkin.sync.hub, and
the organiser's page, checkin.sync.live.app).

``drain(receive, cap)``: read what a client still sends of a refused request, up to cap
bytes, so that it gets to read the refusal instead of a reset connection.
"""

from starlette.types import Receive


async def drain(receive: Receive, cap: int) -> None:
    size = 0
    while size <= cap:
        message = await receive()
        if message["type"] != "http.request":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return
