"""Notifications: a local command gets each alert as JSON on stdin; an SMTP server on 127.0.0.1 gets a digest."""

from __future__ import annotations

import email
import json
import socket
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import pytest

from newswatch.errors import ConfigError
from newswatch.watch import (
    Alert,
    NotificationError,
    SmtpSettings,
    command_notifier,
    notify,
    smtp_notifier,
)

from .conftest import free_port

ALERTS = [
    Alert("ukr", "event", "story:s1", "ukr: ASSAULT RUS -> UKR", {"type": "ASSAULT"}, "e1",
          datetime(2025, 3, 4, 9, tzinfo=UTC), 1),
    Alert("surge", "spike", "spike:place:UKR:ASSAULT:2025-03-04", "surge: spike: 5 stories", {"count": 5}, None,
          datetime(2025, 3, 4, 9, tzinfo=UTC), 2),
]  # fmt: skip


def test_command_gets_each_alert_as_json(tmp_path: Path) -> None:
    out = tmp_path / "got.jsonl"
    script = f"import sys; open({str(out)!r}, 'a').write(sys.stdin.read() + '\\n')"
    notify(ALERTS, [command_notifier([sys.executable, "-c", script])])
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(g["watch"], g["kind"], g["key"]) for g in got] == [(a.watch, a.kind, a.key) for a in ALERTS]
    assert got[0]["at"] == "2025-03-04T09:00:00+00:00" and got[1]["details"] == {"count": 5}


def test_failing_command_is_reported_and_other_notifiers_still_run(tmp_path: Path) -> None:
    out = tmp_path / "second.txt"
    failing = command_notifier(
        [sys.executable, "-c", "import sys; sys.stderr.write('disk full'); sys.exit(3)"]
    )
    second = command_notifier([sys.executable, "-c", f"open({str(out)!r}, 'a').write('x')"])
    errors = notify(ALERTS[:1], [failing, second])
    assert len(errors) == 1 and "exited with 3: disk full" in errors[0]
    assert out.read_text() == "x"


def test_missing_program_is_a_notification_error() -> None:
    with pytest.raises(NotificationError, match="could not run"):
        command_notifier(["/nonexistent/newswatch-notifier"])(ALERTS)


class _SmtpServer:
    """Just enough SMTP (RFC 5321) on 127.0.0.1 to receive messages: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn, conn.makefile("rb") as rfile:
            conn.sendall(b"220 localhost test SMTP\r\n")
            sender, rcpts = "", []
            for raw in rfile:
                line = raw.decode().strip()
                verb = line[:4].upper()
                if verb in ("EHLO", "HELO"):
                    conn.sendall(b"250 localhost\r\n")
                elif verb == "MAIL":
                    sender = line.split(":", 1)[1].strip(" <>")
                    conn.sendall(b"250 OK\r\n")
                elif verb == "RCPT":
                    rcpts.append(line.split(":", 1)[1].strip(" <>"))
                    conn.sendall(b"250 OK\r\n")
                elif verb == "DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    data = b""
                    for chunk in rfile:
                        if chunk == b".\r\n":
                            break
                        data += chunk
                    self.messages.append((sender, rcpts, data))
                    conn.sendall(b"250 queued\r\n")
                elif verb == "QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"502 not implemented\r\n")

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.fixture
def smtp_server() -> Iterator[_SmtpServer]:
    server = _SmtpServer()
    yield server
    server.close()


def test_smtp_digest_reaches_a_local_server(smtp_server: _SmtpServer) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=smtp_server.port, sender="watch@example.org",
                            recipients=["analyst@example.org", "desk@example.org"], timeout=10)  # fmt: skip
    assert notify(ALERTS, [smtp_notifier(settings)]) == []
    smtp_server.thread.join(timeout=10)
    [(sender, rcpts, data)] = smtp_server.messages
    assert sender == "watch@example.org" and rcpts == ["analyst@example.org", "desk@example.org"]
    msg: Message = email.message_from_bytes(data)
    assert msg["Subject"] == "newswatch: 2 alerts (surge, ukr)"
    parts = [p for p in msg.walk() if not p.is_multipart()]
    body = parts[0].get_payload(decode=True).decode()
    assert "ukr: ASSAULT RUS -> UKR" in body and "surge: spike: 5 stories" in body
    attached = parts[1].get_payload(decode=True).decode().splitlines()
    assert parts[1].get_filename() == "alerts.jsonl" and json.loads(attached[1])["key"] == ALERTS[1].key


def test_unreachable_smtp_server_is_reported() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), sender="w@example.org", recipients=["a@example.org"],
                            timeout=5)  # fmt: skip
    errors = notify(ALERTS, [smtp_notifier(settings)])
    assert len(errors) == 1 and "could not mail alerts through 127.0.0.1" in errors[0]


def test_smtp_needs_sender_and_recipients() -> None:
    with pytest.raises(ConfigError, match="--smtp-to"):
        SmtpSettings(host="127.0.0.1", sender="w@example.org", recipients=[])
