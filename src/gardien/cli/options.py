"""Options shared by the commands, and the one place a command builds what it works with.

``command_context(...)`` reads the settings once per command (``Settings.from_environment``)
and builds, when first asked, the store opened with the settings' keys, the registry, the
clock, the actor and the notifier: the same objects a server builds once
(``gardien.server.context``), so that a command and the server never write digests with two
keys nor send codes through two notifiers.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gardien.clock import Clock, FixedClock, SystemClock
from gardien.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from gardien.notify import Notifier
    from gardien.registry.model import Registry
    from gardien.settings import Settings

DEFAULT_REGISTRIES = ("gardien.yaml", "registry.yaml", "gardien")

RegistryOption = Annotated[
    Path | None,
    typer.Option(
        "--registry",
        "-r",
        help="Registry file or directory (default: $GARDIEN_REGISTRY, ./gardien.yaml, ./registry.yaml).",
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="gardien's own database URL (default: $GARDIEN_DATABASE_URL or sqlite:///gardien.db).",
    ),
]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now", help="Run as if it were this ISO date or datetime (UTC), for reproducible runs."
    ),
]
ActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        help="Who acts, as written in the audit trail (default: $GARDIEN_ACTOR or the OS user).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def settings() -> Settings:
    """The settings of this command, from ``GARDIEN_*``."""
    from gardien.settings import Settings

    return Settings.from_environment()


def registry_path(option: Path | None, configured: Path | None = None) -> Path:
    """``--registry``, else ``$GARDIEN_REGISTRY`` (``configured``), else a default file here."""
    if option is not None:
        return option
    if configured is None:
        configured = settings().registry
    if configured is not None:
        return configured
    for name in DEFAULT_REGISTRIES:
        if Path(name).exists():
            return Path(name)
    raise UsageError(
        "no registry given: pass --registry PATH or set GARDIEN_REGISTRY", field="registry"
    )


def parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--now {text!r} is not an ISO date or datetime (e.g. 2026-11-22 or 2026-11-22T10:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clock_for(now: str | None) -> Clock:
    moment = parse_now(now)
    return FixedClock(moment) if moment else SystemClock()


def actor_name(option: str | None, configured: str | None = None) -> str:
    if option:
        return option
    if configured is None:
        configured = settings().actor
    if configured:
        return configured
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@dataclass
class CommandContext:
    """What one command works with, each part built when first asked, once."""

    settings: Settings
    store_option: str | None = None
    registry_option: Path | None = None
    now_option: str | None = None
    actor_option: str | None = None

    @cached_property
    def engine(self) -> Engine:
        """gardien's store, opened with the settings' keys (``gardien.store.keys``)."""
        from gardien.store.database import open_store

        return open_store(self.store_option or self.settings.database_url, self.settings.keys)

    @cached_property
    def registry(self) -> Registry:
        from gardien.registry.loader import load_registry

        return load_registry(registry_path(self.registry_option, self.settings.registry))

    @cached_property
    def clock(self) -> Clock:
        return clock_for(self.now_option)

    @cached_property
    def actor(self) -> str:
        return actor_name(self.actor_option, self.settings.actor)

    @property
    def notifier(self) -> Notifier:
        return self.settings.notifier


def command_context(
    *,
    store: str | None = None,
    registry: Path | None = None,
    now: str | None = None,
    actor: str | None = None,
) -> CommandContext:
    """The settings of this command, read once, and what they build (see ``CommandContext``)."""
    return CommandContext(settings(), store, registry, now, actor)
