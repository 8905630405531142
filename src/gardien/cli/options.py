"""Options shared by the commands that act on a registry's systems and on gardien's store."""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from gardien.clock import Clock, FixedClock, SystemClock
from gardien.errors import UsageError

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


def registry_path(option: Path | None) -> Path:
    if option is not None:
        return option
    if env := os.environ.get("GARDIEN_REGISTRY"):
        return Path(env)
    for name in DEFAULT_REGISTRIES:
        if Path(name).exists():
            return Path(name)
    raise UsageError("no registry given: pass --registry PATH or set GARDIEN_REGISTRY")


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


def actor_name(option: str | None) -> str:
    if option:
        return option
    if env := os.environ.get("GARDIEN_ACTOR"):
        return env
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
