"""Messages to data subjects (one-time codes, R-RGT-11): an outbox folder by default, SMTP when set.

A :class:`Notifier` delivers one :class:`Message`. The default writes each message as an ``.eml``
file into ``$GARDIEN_OUTBOX`` (``./outbox``), where a mail or SMS gateway, or a person, picks it
up; with ``$GARDIEN_SMTP_URL`` set, e-mails go straight to that SMTP server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from gardien.errors import GardienError

DEFAULT_OUTBOX = "outbox"
DEFAULT_SENDER = "gardien@localhost"


class NotificationError(GardienError):
    """A message could not be delivered; nothing was sent."""


@dataclass(frozen=True)
class Message:
    channel: str
    """``email`` or ``phone`` (a text message)."""
    to: str
    """The address or number, normalised (gardien.identity)."""
    subject: str
    body: str
    at: datetime
    """When it is sent, from the caller's Clock."""
    reference: str
    """What it is about (``request:<id>``), for whoever handles the outbox."""


class Notifier(Protocol):
    def send(self, message: Message) -> str:
        """Deliver ``message``; return where it went (file path, SMTP server) for the record."""
        ...


def notifier_from_env(environ: dict[str, str] | None = None) -> Notifier:
    """SMTP when ``GARDIEN_SMTP_URL`` is set, else the outbox folder ``GARDIEN_OUTBOX``."""
    from gardien.notify.outbox import OutboxNotifier
    from gardien.notify.smtp import SmtpNotifier

    env = os.environ if environ is None else environ
    sender = env.get("GARDIEN_MAIL_FROM") or DEFAULT_SENDER
    if url := env.get("GARDIEN_SMTP_URL"):
        return SmtpNotifier(url, sender=sender)
    return OutboxNotifier(Path(env.get("GARDIEN_OUTBOX") or DEFAULT_OUTBOX), sender=sender)
