"""Follow-up mails on real worker processes, Redis and a real local SMTP server: a worker
SIGKILLed in the middle of sending leaves no one without their mail and no one with two.

The relay (aiosmtpd) can be told to stall on the next DATA command: the worker has sent the
whole message and waits for the relay's answer when it is killed. Two moments are tried:

- before the relay took the message (it never answered 250): the next worker sends it again
  and the relay receives it exactly once;
- after the relay stored it but before the worker heard so (the worst moment, a few
  microseconds wide in real life): the next worker cannot know, and sends it again under the
  same Message-ID, which mail clients and relays show once. Counted by Message-ID, as a reader
  sees the mailbox, each person has one mail.

In both, the daily cap holds: a person with two contributions gets one mail, and a second
change the same day sends nothing more.
"""

from __future__ import annotations

import asyncio
import email
import signal
import threading
import time
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from feedback_app.models import CommitmentNotice, MailDay, NoticeState
from tests.test_export_workers import REDIS_URL, _on_redis, _redis_up, namespace, workers
from tests.test_followup import _change, _commitment, _reviewed, _titled_group
from tests.test_mail import _free_port

pytestmark = pytest.mark.skipif(not _redis_up(), reason=f"no Redis at {REDIS_URL}")

__all__ = ["namespace", "workers"]  # fixtures, shared with the export workers' tests

HEARTBEAT = 3.0


class StallingRelay:
    """An SMTP server that can hold its answer to the next DATA, before or after storing it."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.messages: list[Message] = []
        self.stall: str | None = None  # "before" or "after" storing the next message
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        moment, self.stall = self.stall, None
        message = email.message_from_bytes(envelope.original_content)
        if moment == "after":
            self.messages.append(message)
        if moment is not None:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Requested action aborted"  # nobody is listening any more
        self.messages.append(message)
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)


@pytest.fixture
def relay() -> Iterator[StallingRelay]:
    handler = StallingRelay()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    handler.release.set()
    controller.stop()


def _states(session, change_id: int) -> list[NoticeState]:
    session.rollback()
    return list(
        session.scalars(
            select(CommitmentNotice.state)
            .where(CommitmentNotice.change_id == change_id)
            .order_by(CommitmentNotice.id)
        )
    )


def _wait_settled(session, change_id: int, timeout: float = 60) -> list[NoticeState]:
    deadline = time.monotonic() + timeout
    open_states = {NoticeState.PENDING, NoticeState.SENDING}
    while time.monotonic() < deadline:
        states = _states(session, change_id)
        if states and not open_states & set(states):
            return states
        time.sleep(0.2)
    raise AssertionError(f"notices still open after {timeout} s: {_states(session, change_id)}")


@pytest.mark.parametrize("moment", ["before", "after"])
@pytest.mark.slow
def test_a_worker_killed_mid_send_leaves_one_mail_per_person(
    app, session, world, namespace, workers, relay, monkeypatch, moment
) -> None:
    for name, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(relay.port),
        "MAIL_DEFAULT_SENDER": "tournee@example.ma",
        "PUBLIC_BASE_URL": "https://avis.example.ma",
    }.items():
        monkeypatch.setenv(name, value)  # the workers' settings (they copy the environment)
    code = world.ids["code_a"]
    first = _reviewed(session, code, "Former les guides aux langues", "guide@example.ma")
    second = _reviewed(session, code, "Des cours de langues pour les guides", "riad@example.ma")
    # The same person again (another case of the same address): one mail a day, not two.
    third = _reviewed(session, code, "Des guides qui parlent anglais", "Riad@Example.ma")
    group = _titled_group(
        session, [s.items[0].id for s in (first, second, third)], "Langues des guides"
    )
    commitment = _commitment(session, [group]).id
    _on_redis(app, namespace, HEARTBEAT)
    group_of_workers = workers(heartbeat=HEARTBEAT)
    killed = group_of_workers.start()

    from feedback_app.tasks.followup import send_notices

    relay.stall = moment
    change = _change(session, commitment, "in_progress", "Budget voté")
    send_notices.send(change_id=change)
    assert relay.stalled.wait(60), "the worker never reached the relay"
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert NoticeState.SENDING in _states(session, change)  # killed in the middle of a send
    relay.release.set()
    group_of_workers.start()

    states = _wait_settled(session, change)
    assert sorted(states) == sorted([NoticeState.SENT, NoticeState.SENT, NoticeState.CAPPED])
    relay.wait_for(2 if moment == "before" else 3, timeout=10)
    time.sleep(1)  # anything late would show now
    ids = {m["Message-ID"] for m in relay.messages}
    # What each person's mailbox shows: their mails, one per Message-ID.
    seen = {(m["To"].lower(), m["Message-ID"]) for m in relay.messages}
    assert sorted(to for to, _id in seen) == ["guide@example.ma", "riad@example.ma"]
    assert len(ids) == 2
    if moment == "before":
        assert len(relay.messages) == 2  # the relay itself received each mail once
    else:
        assert len(relay.messages) == 3  # once more, under the same Message-ID
    assert all("Budget voté" in m.get_payload(decode=True).decode() for m in relay.messages)
    session.rollback()
    days = session.scalars(select(MailDay.day)).all()
    assert len(days) == 2 and len(set(days)) == 1  # one mail day per person

    # A second change the same day: capped for both, nothing more in the mailboxes.
    before = len(relay.messages)
    again = _change(session, commitment, "done", "Formations terminées")
    send_notices.send(change_id=again)
    assert set(_wait_settled(session, again)) == {NoticeState.CAPPED}
    time.sleep(1)
    assert len(relay.messages) == before
