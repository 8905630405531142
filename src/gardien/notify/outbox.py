"""The outbox: one ``.eml`` file per message, written with the standard library's email package."""

from __future__ import annotations

import os
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from gardien.notify import Message, NotificationError


def ascii_address(address: str) -> str:
    """The address with its domain in IDNA (``exämple.fr`` → ``xn--exmple-cua.fr``).

    Every mail server accepts that form; only a non-ASCII local part needs SMTPUTF8.
    """
    local, _, domain = address.rpartition("@")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def as_email(message: Message, sender: str) -> EmailMessage:
    """The RFC 5322 form of ``message``; a text message is addressed by a header, not ``To``."""
    mail = EmailMessage()
    mail["From"] = sender
    if message.channel == "email":
        mail["To"] = ascii_address(message.to)
    else:
        # An SMS gateway reads the number from here; a phone number is not a mail address.
        mail["X-Gardien-Phone"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.at)
    mail["Message-ID"] = make_msgid(domain="gardien.invalid")
    mail["X-Gardien-Channel"] = message.channel
    mail["X-Gardien-Reference"] = message.reference
    mail.set_content(message.body)
    return mail


class OutboxNotifier:
    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, message: Message) -> str:
        name = f"{message.at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
        target = self.folder / name
        partial = self.folder / f".{name}.part"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written aside then renamed: whoever polls the outbox never reads half a message.
            partial.write_bytes(bytes(as_email(message, self.sender)))
            os.replace(partial, target)
        except OSError as exc:
            raise NotificationError(f"cannot write to the outbox {self.folder}: {exc}") from exc
        return str(target)
