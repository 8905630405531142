"""Settings of a running gardien server, from the environment (``GARDIEN_*``).

Nothing is read at import time: ``Settings.from_environment()`` is called by ``gardien serve``
(and tests build ``Settings`` directly). Insecure defaults are accepted in ``dev`` only: in
``production`` the secret key must be set and strong (the rules of
``gardien.consent.keys.key_from_environment``, the one place they live).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from gardien.consent.keys import SubjectKey, key_from_environment
from gardien.errors import UsageError
from gardien.store.database import DEFAULT_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GARDIEN_", extra="ignore", frozen=True)

    database_url: str = DEFAULT_URL
    registry: Path | None = None
    secret_key: str = Field(default="", repr=False)
    env: Literal["dev", "production"] = "dev"
    token_cache_seconds: float = 60.0
    """How long a checked token is trusted before argon2 checks it again (a disabled account
    stops working within this time)."""
    rate_limit_storage: str = "memory://"
    """Where the portal's per-address counters live (``limits`` storage URI); ``memory://`` holds
    for one process, ``redis://host:6379`` for several."""

    @property
    def production(self) -> bool:
        return self.env == "production"

    def subject_key(self) -> SubjectKey:
        """The key for identifier digests; raises SecretKeyError outside dev when unfit."""
        environ = {"GARDIEN_ENV": self.env, "GARDIEN_SECRET_KEY": self.secret_key}
        return key_from_environment(environ)

    def registry_path(self) -> Path:
        if self.registry is None:
            raise UsageError("no registry given: set GARDIEN_REGISTRY to the registry file")
        return self.registry

    def check(self) -> None:
        """Refuse to serve with settings that are unsafe for this mode."""
        self.subject_key()
        self.registry_path()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``GARDIEN_*`` (from ``environ`` when given); a bad value names the variable."""
        try:
            if environ is None:
                return cls()
            values = {
                key[len("GARDIEN_") :].lower(): value
                for key, value in environ.items()
                if key.startswith("GARDIEN_")
            }
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"GARDIEN_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                for e in exc.errors()
            )
            raise UsageError(f"unusable settings: {problems}") from None
