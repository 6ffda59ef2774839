from __future__ import annotations

from datetime import UTC, datetime

from mailbox_emulator.inbox import Inbox
from mailbox_emulator.model import Sms


def sms(number: int) -> Sms:
    return Sms(id=str(number), received_at=datetime.now(UTC), to="+15555550100", sender="s", body=str(number))


async def test_inbox_keeps_only_the_newest_up_to_capacity() -> None:
    inbox = Inbox(capacity=2)
    for number in range(3):
        await inbox.add_sms(sms(number))
    assert [text.body for text in inbox.texts()] == ["2", "1"]
