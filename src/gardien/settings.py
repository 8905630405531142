"""Settings of gardien, from the environment (``GARDIEN_*``): the one place that reads it.

Nothing is read at import time: ``Settings.from_environment()`` is called once by each CLI
command (``gardien.cli.options.command_context``) and by ``gardien serve``; tests build
``Settings`` directly. The settings own what must be the same everywhere in a process:

- the store's keys (``keys``: the subject key for identifier digests, ``GARDIEN_SECRET_KEY``,
  and the audit chain's key, ``GARDIEN_AUDIT_KEY``), built once and bound to the store's engine
  when it is opened (``open_store(url, settings.keys)``), so that nothing writes a digest with
  another key than the one the settings give;
- the notifier (``notifier``: SMTP when ``GARDIEN_SMTP_URL`` is set, else the outbox folder);
- where the audit trail's head is anchored (``anchoring``: ``GARDIEN_AUDIT_ANCHOR_FILE``,
  ``GARDIEN_AUDIT_ANCHOR_EMAIL``, docs/audit.md).

Insecure defaults are accepted in ``dev`` only: in ``production`` the secret key must be set
and strong (the rules of ``gardien.consent.keys.key_from_environment``, the one place they live).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gardien.consent.keys import SubjectKey
from gardien.errors import UsageError
from gardien.jobs.audit_anchor import Anchoring
from gardien.notify import DEFAULT_OUTBOX, DEFAULT_SENDER, Notifier, build_notifier
from gardien.store.keys import StoreKeys

DEFAULT_URL = "sqlite:///gardien.db"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"10.0.0.1, 10.1.0.0/16, ::1"`` → networks; ValueError names a bad entry."""
    networks: list[Network] = []
    for entry in value.replace(";", ",").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is neither an IP address nor a network (10.0.0.0/8, ::1)"
            ) from None
    return tuple(networks)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GARDIEN_", extra="ignore", frozen=True)

    database_url: str = DEFAULT_URL
    registry: Path | None = None
    secret_key: str = Field(default="", repr=False)
    audit_key: str = Field(default="", repr=False)
    """The audit chain's MAC key; derived from ``secret_key`` when not set."""
    audit_retired_keys: str = Field(default="", repr=False)
    """Earlier audit keys, separated by commas: they verify the events they sealed."""
    audit_anchor_file: Path | None = None
    """Where the audit trail's head is anchored: an append-only file on storage the store's
    writers cannot rewrite (docs/audit.md)."""
    audit_anchor_email: str = ""
    """The DPO's address: each anchor is also e-mailed there, through the notifier."""
    audit_anchor_seconds: float = Field(default=3600.0, gt=0)
    """The server anchors the head this often while it moves (and when it starts and stops)."""
    env: Literal["dev", "production"] = "dev"
    actor: str = ""
    """Who acts, as the audit trail names it, for the command line (default: the OS user)."""
    outbox: Path = Path(DEFAULT_OUTBOX)
    """Where messages to people (one-time codes) are written when no SMTP server is set."""
    smtp_url: str = Field(default="", repr=False)
    mail_from: str = DEFAULT_SENDER
    token_cache_seconds: float = 60.0
    """How long a checked token is trusted before argon2 checks it again (a disabled account
    stops working within this time)."""
    rate_limit_storage: str = "memory://"
    """Where the portal's per-address counters live (``limits`` storage URI); ``memory://`` holds
    for one process, ``redis://host:6379`` for several."""
    trusted_proxies: str = ""
    """The reverse proxies whose forwarding header is believed (addresses or networks, comma
    separated; uvicorn's ``--forwarded-allow-ips``). Empty: no header is ever read, the
    connection's peer is the client (``gardien.server.client``)."""
    proxy_header: Literal["x-forwarded-for", "forwarded", "x-real-ip"] = "x-forwarded-for"
    """The one header the trusted proxies set (any other a client may have added is ignored)."""

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @field_validator("proxy_header", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @cached_property
    def proxies(self) -> tuple[Network, ...]:
        """``trusted_proxies`` as networks, parsed once."""
        return parse_networks(self.trusted_proxies)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @cached_property
    def keys(self) -> StoreKeys:
        """The store's keys, built once; raises SecretKeyError outside dev when unfit."""
        return StoreKeys.from_environment(
            {
                "GARDIEN_ENV": self.env,
                "GARDIEN_SECRET_KEY": self.secret_key,
                "GARDIEN_AUDIT_KEY": self.audit_key,
                "GARDIEN_AUDIT_RETIRED_KEYS": self.audit_retired_keys,
            }
        )

    def subject_key(self) -> SubjectKey:
        """The key for identifier digests (``keys.subject``)."""
        return self.keys.subject

    @cached_property
    def notifier(self) -> Notifier:
        """The one notifier of this process: SMTP when ``smtp_url`` is set, else the outbox."""
        return build_notifier(smtp_url=self.smtp_url, outbox=self.outbox, sender=self.mail_from)

    @cached_property
    def anchoring(self) -> Anchoring:
        """Where anchors of the audit trail go (``gardien.jobs.audit_anchor``)."""
        return Anchoring(
            file=self.audit_anchor_file,
            dpo_email=self.audit_anchor_email.strip(),
            notifier=self.notifier if self.audit_anchor_email.strip() else None,
            every_seconds=self.audit_anchor_seconds,
        )

    def registry_path(self) -> Path:
        if self.registry is None:
            raise UsageError(
                "no registry given: set GARDIEN_REGISTRY to the registry file", field="registry"
            )
        return self.registry

    def check(self) -> None:
        """Refuse to serve with settings that are unsafe for this mode."""
        _ = self.keys
        self.registry_path()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``GARDIEN_*`` (from ``environ`` when given, else the process's environment);
        a bad value names the variable."""
        source = os.environ if environ is None else environ
        values = {
            key[len("GARDIEN_") :].lower(): value
            for key, value in source.items()
            if key.startswith("GARDIEN_")
        }
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"GARDIEN_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                for e in exc.errors()
            )
            raise UsageError(f"unusable settings: {problems}") from None
