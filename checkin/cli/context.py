"""What every subcommand gets: the resolved database path and a way to open it."""

from dataclasses import dataclass
from pathlib import Path

import click

from checkin import paths
from checkin.db import open_db
from checkin.store import Store


@dataclass
class CliContext:
    db_option: str | None = None

    @property
    def db_path(self) -> Path:
        return paths.resolve_db(self.db_option)

    def store(self, *, station: str = "", operator: str = "", create: bool = False) -> Store:
        return Store(open_db(self.db_path, create=create), station=station, operator=operator)


pass_cli = click.make_pass_decorator(CliContext)
