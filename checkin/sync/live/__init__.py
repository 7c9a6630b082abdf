"""The organiser's live view: a read-only web page at the hub (docs/live.md).

viewers (accounts, links, sessions), figures (what the page shows, from the hub's log and
what the desks report), texts (English and German, assets/live/strings.toml), render
(Jinja2 templates in assets/live/templates), app (the routes and the session guard,
mounted by checkin.sync.hub for every path outside /api/v1).
"""
