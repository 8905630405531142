"""Messages to data subjects (one-time codes, R-RGT-11): an outbox folder by default, SMTP when set.

A :class:`Notifier` delivers one :class:`Message`. The default writes each message as an ``.eml``
file into ``$GARDIEN_OUTBOX`` (``./outbox``), where a mail or SMS gateway, or a person, picks it
up; with ``$GARDIEN_SMTP_URL`` set, e-mails go straight to that SMTP server. The settings
(``gardien.settings.Settings.notifier``) build the one notifier of a process with
:func:`build_notifier`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from gardien.errors import Unavailable

DEFAULT_OUTBOX = "outbox"
DEFAULT_SENDER = "gardien@localhost"


class NotificationError(Unavailable):
    """A message could not be delivered; nothing was sent."""

    code = "notification_failed"


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


def build_notifier(
    *, smtp_url: str = "", outbox: Path = Path(DEFAULT_OUTBOX), sender: str = DEFAULT_SENDER
) -> Notifier:
    """SMTP when ``smtp_url`` is given, else the outbox folder ``outbox``."""
    from gardien.notify.outbox import OutboxNotifier
    from gardien.notify.smtp import SmtpNotifier

    if smtp_url:
        return SmtpNotifier(smtp_url, sender=sender or DEFAULT_SENDER)
    return OutboxNotifier(outbox, sender=sender or DEFAULT_SENDER)
