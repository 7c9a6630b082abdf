"""`checkin audit` (who did what, when, where) and `checkin purge` (an event's personal
data removed after it). checkin.audit and checkin.retention have the rules."""

import json

import click

from checkin.cli.context import CliContext, pass_cli


@click.command()
@click.option("--attendee", metavar="ID", help="Only this attendee's actions (and those of "
              "registrations merged with it).")
@click.option("--operator", metavar="NAME", help="Only what this operator did "
              "(case-insensitive).")
@click.option("--since", metavar="TIME", help="Only from this date or time on (ISO 8601: "
              "2026-05-04 or 2026-05-04T09:30; without an offset, this computer's zone).")
@click.option("--json", "as_json", is_flag=True,
              help='A JSON list of {"time", "station", "operator", "action", "type", '
                   '"attendee_id", "name", "detail", "uuid", "count"}.')
@pass_cli
def audit(cli: CliContext, attendee: str | None, operator: str | None, since: str | None,
          as_json: bool) -> None:
    """Who did what, when and where: admissions, undos, edits, walk-ins, badges printed
    and reprinted, exports and purges, with the station and the operator of each."""
    from checkin.audit import audit as entries
    from checkin.audit import parse_since

    moment = parse_since(since) if since is not None else None
    store = cli.store()
    if attendee is not None and store.attendee(attendee) is None and not store.events(
            attendee):
        from checkin.errors import CheckinError

        raise CheckinError(f"no attendee with id {attendee!r}")
    found = entries(store, attendee=attendee, operator=operator, since=moment)
    if as_json:
        click.echo(json.dumps([e.to_json() for e in found], ensure_ascii=False, indent=1))
        return
    for e in found:
        who = e.operator or "(no operator)"
        person = " ".join(p for p in (e.attendee_id or "", e.name) if p)
        action = e.action + (f" x{e.count}" if e.count > 1 else "")
        click.echo(f"{e.time[:19]}  {e.station:<12} {who:<14} {action:<16} {person or '-'}"
                   + (f"  ({e.detail})" if e.detail else ""))
    click.echo(f"{len(found)} entr{'ies' if len(found) != 1 else 'y'}")


@click.command()
@click.option("--keep-counts", is_flag=True,
              help="Keep anonymous counts per day, role and country (registered, admitted) "
                   "for the dashboard and the report.")
@click.option("--yes", is_flag=True, help="Do not ask before removing (it asks only at a "
              "terminal).")
@pass_cli
def purge(cli: CliContext, keep_counts: bool, yes: bool) -> None:
    """Remove the event's personal data after it: attendees, the event log, the print
    queue; rewrite the file so that nothing remains in free pages or the WAL. Refused
    while events wait to be synced (run `checkin sync --final` first)."""
    import sys

    from checkin.retention import purge as run

    store = cli.store()
    if not yes and sys.stdin.isatty() and not click.confirm(
            f"Remove every attendee and the whole event log from {cli.db_path}? This "
            "cannot be undone", default=False, err=True):
        raise click.Abort()
    result = run(store, cli.db_path, keep_counts=keep_counts)
    for line in result.lines():
        click.echo(line)


@click.command("fields")
@click.option("--withhold", "withhold", multiple=True, metavar="FIELD",
              help="Send desks this field no more (code, title, badge_name, organisation, "
                   "country, role, notes; repeatable).")
@click.option("--send", "send", multiple=True, metavar="FIELD",
              help="Send desks this field again (repeatable).")
@click.option("--extra", metavar="KEYS",
              help="The keys of extra (the import's other columns) desks get, comma-separated;"
                   " '*' for all, '' for none (default: country, days, salutation, suffix, "
                   "vip, walk_in).")
@click.option("--search-by-email/--no-search-by-email", default=None,
              help="Send e-mail addresses, so desks find people by them (default: off: "
                   "e-mail addresses stay on the hub).")
@click.option("--json", "as_json", is_flag=True, help="The policy as a JSON object.")
@pass_cli
def desk_fields(cli: CliContext, withhold: tuple[str, ...], send: tuple[str, ...],
                extra: str | None, search_by_email: bool | None, as_json: bool) -> None:
    """Which attendee fields the hub sends desks (per event; docs/privacy.md). E-mail
    addresses, phone numbers and other columns stay on the hub unless named here."""
    from dataclasses import replace

    from checkin.errors import CheckinError
    from checkin.sync import minimise

    store = cli.store()
    policy = minimise.load(store)
    changed = bool(withhold or send or extra is not None or search_by_email is not None)
    for name in (*withhold, *send):
        if name == "email":
            raise CheckinError("e-mail addresses are sent only with --search-by-email")
        if name not in minimise.OPTIONAL:
            raise CheckinError(f"{name!r}: not a field desks can do without (one of "
                               f"{', '.join(f for f in minimise.OPTIONAL if f != 'email')})")
    if set(withhold) & set(send):
        raise click.UsageError("a field cannot be withheld and sent at once")
    if changed:
        keys: tuple[str, ...] | None = policy.extra
        if extra is not None:
            keys = None if extra.strip() == "*" else tuple(
                k.strip() for k in extra.split(",") if k.strip())
        policy = replace(
            policy, withheld=tuple(f for f in minimise.OPTIONAL
                                   if (f in policy.withheld or f in withhold)
                                   and f not in send),
            extra=keys, search_by_email=(policy.search_by_email if search_by_email is None
                                         else search_by_email))
        store.event_info()  # only an event's database has desks
        minimise.save(store, policy)
    shown = policy.to_json()
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False, indent=1))
        return
    click.echo(f"sent to desks: {', '.join(policy.sent())}")
    click.echo(f"kept on the hub: {', '.join(policy.stripped) or '-'}")
    click.echo("extra keys sent: " + ("all" if policy.extra is None
                                      else ", ".join(policy.extra) or "none"))
    if changed:
        click.echo("desks made from now on get this; desks already synced keep what they "
                   "pulled (make them again with a new first sync to apply it there)")
