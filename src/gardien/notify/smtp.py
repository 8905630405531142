"""Delivery by SMTP: ``smtp://[user:password@]host[:port]`` (STARTTLS when the server offers it),
``smtps://…`` for TLS from the start. Credentials come from the URL, itself from the environment."""

from __future__ import annotations

import smtplib
import ssl
from urllib.parse import unquote, urlsplit

from gardien.notify import Message, NotificationError
from gardien.notify.outbox import as_email

TIMEOUT_SECONDS = 30


class SmtpNotifier:
    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise NotificationError(
                "GARDIEN_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465"
            )
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    def describe(self) -> str:
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"

    def send(self, message: Message) -> str:
        if message.channel != "email":
            raise NotificationError(
                f"SMTP delivers e-mail only, not a text message to a {message.channel}: "
                "unset GARDIEN_SMTP_URL to write it to the outbox for an SMS gateway, or verify "
                "the identity by an agent's attestation"
            )
        mail = as_email(message, self.sender)
        try:
            client: smtplib.SMTP
            if self.tls:
                client = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=TIMEOUT_SECONDS,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
            with client:
                client.ehlo()
                if not self.tls and client.has_extn("starttls"):
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                if self.user is not None:
                    client.login(self.user, self.password or "")
                client.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise NotificationError(f"cannot send by {self.describe()}: {exc}") from exc
        return self.describe()
