"""Outbox files and SMTP delivery (against a fake SMTP server on the loopback interface)."""

from __future__ import annotations

import base64
import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gardien.notify import Message, NotificationError
from gardien.notify.outbox import OutboxNotifier
from gardien.notify.smtp import SmtpNotifier
from gardien.settings import Settings

AT = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


def message(channel: str = "email", to: str = "o'brien+test@exämple.fr") -> Message:
    return Message(
        channel=channel,
        to=to,
        subject="Votre code de vérification",
        body="Votre code : 042917\nIl expire dans 15 minutes.",
        at=AT,
        reference="request:req-1",
    )


def read_eml(path: Path) -> email.message.EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_outbox_writes_one_eml_per_message(tmp_path: Path) -> None:
    outbox = OutboxNotifier(tmp_path / "outbox", sender="dpo@ima-protect.example")
    first = Path(outbox.send(message()))
    second = Path(outbox.send(message(channel="phone", to="+33612345678")))
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == sorted(
        [first.name, second.name]
    )
    assert first.suffix == ".eml" and first.name.startswith("20260305T093000-")
    mail = read_eml(first)
    assert mail["From"] == "dpo@ima-protect.example"
    assert mail["To"] == "o'brien+test@xn--exmple-cua.fr"  # IDNA: any server delivers it
    assert mail["Subject"] == "Votre code de vérification"
    assert mail["X-Gardien-Channel"] == "email"
    assert mail["X-Gardien-Reference"] == "request:req-1"
    assert mail["Date"] == "Thu, 05 Mar 2026 09:30:00 +0000"
    assert "Votre code : 042917" in mail.get_content()
    text = read_eml(second)
    assert text["To"] is None and text["X-Gardien-Phone"] == "+33612345678"
    assert text["X-Gardien-Channel"] == "phone"


def test_outbox_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(NotificationError, match="cannot write to the outbox"):
        OutboxNotifier(blocker, sender="x@y.fr").send(message())


def test_the_settings_choose_the_notifier(tmp_path: Path) -> None:
    chosen = Settings.from_environment({"GARDIEN_OUTBOX": str(tmp_path / "box")}).notifier
    assert isinstance(chosen, OutboxNotifier) and chosen.folder == tmp_path / "box"
    default = Settings.from_environment({}).notifier
    assert isinstance(default, OutboxNotifier) and default.folder == Path("outbox")
    smtp = Settings.from_environment(
        {"GARDIEN_SMTP_URL": "smtp://u:p%40ss@mail.example:587", "GARDIEN_MAIL_FROM": "a@b.fr"}
    ).notifier
    assert isinstance(smtp, SmtpNotifier)
    assert (smtp.host, smtp.port, smtp.user, smtp.password) == ("mail.example", 587, "u", "p@ss")
    assert smtp.sender == "a@b.fr"
    with pytest.raises(NotificationError, match="smtp://"):
        SmtpNotifier("http://mail.example", sender="a@b.fr")


# --- a fake SMTP server on 127.0.0.1 ------------------------------------------------------


class FakeSmtp(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to receive one message; records what it was told."""

    timeout = 10

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        server: FakeServer = self.server  # type: ignore[assignment]
        self.reply("220 fake ESMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            server.commands.append(line)
            if verb == "EHLO":
                self.reply("250-fake")
                self.reply("250-AUTH PLAIN")
                self.reply("250 8BITMIME")
            elif verb == "AUTH":
                server.auth = base64.b64decode(line.split()[2]).decode()
                self.reply("235 ok")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(chunk)
                server.data = b"".join(lines)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class FakeServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeSmtp)
        self.commands: list[str] = []
        self.data = b""
        self.auth: str | None = None


@pytest.fixture
def smtp_server() -> Iterator[FakeServer]:
    server = FakeServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_smtp_delivers_the_message(smtp_server: FakeServer) -> None:
    port = smtp_server.server_address[1]
    notifier = SmtpNotifier(f"smtp://dpo:s%3Acret@127.0.0.1:{port}", sender="dpo@ima.example")
    where = notifier.send(message())
    assert where == f"smtp://127.0.0.1:{port}"
    assert smtp_server.auth == "\0dpo\0s:cret"
    said = [c.lower() for c in smtp_server.commands]
    assert "mail from:<dpo@ima.example>" in said
    assert "rcpt to:<o'brien+test@xn--exmple-cua.fr>" in said
    mail = email.message_from_bytes(smtp_server.data, policy=email.policy.default)
    assert mail["Subject"] == "Votre code de vérification"
    assert "042917" in mail.get_body().get_content()  # type: ignore[union-attr]


def test_smtp_refuses_a_text_message(smtp_server: FakeServer) -> None:
    notifier = SmtpNotifier(f"smtp://127.0.0.1:{smtp_server.server_address[1]}", sender="a@b.fr")
    with pytest.raises(NotificationError, match="e-mail only"):
        notifier.send(message(channel="phone", to="+33612345678"))
    assert smtp_server.commands == []


def test_an_unreachable_smtp_server_is_a_clear_error() -> None:
    server = FakeServer()  # bound, then closed: nobody listens on that port any more
    port = server.server_address[1]
    server.server_close()
    with pytest.raises(NotificationError, match=f"cannot send by smtp://127.0.0.1:{port}"):
        SmtpNotifier(f"smtp://127.0.0.1:{port}", sender="a@b.fr").send(message())
