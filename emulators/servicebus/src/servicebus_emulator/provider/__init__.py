"""Service Bus entity logic: queues, topics, subscriptions and their messages.

The AMQP layer drives this class; it never sees AMQP. State lives in memory and every change is handed
to the store (see `servicebus_emulator.store.base`). All methods run on one event loop; the in-memory
part of each operation is synchronous, so competing receivers never get the same message.

Receiving, for a receiver link with credit: `take` returns up to N available messages at once (locking
them in peek-lock mode, removing them in receive-and-delete mode); `wait_available` completes as soon as
the entity may have a message for it; `receive` combines the two. Nothing polls: sends, abandons, lock
expiries and scheduled messages coming due wake the waiters.

Time is read from an injectable `Clock`. `process_due` applies whatever has come due (scheduled messages,
expired locks, expired messages); `run` calls it on a timer, and tests call it after advancing a
`ManualClock`.

LIMITATIONS versus Azure Service Bus:
- rules added at run time are not persisted; session locks are not persisted (session state is);
- a message received on a session takes the session's lock time, and renewing the session renews the
  locks of its messages too; a session receiver that goes away gives its unsettled messages back at once
  (one more delivery attempt each) instead of letting their locks run out;
- a forwarded message keeps its enqueued time and TTL; forwarding happens when the message arrives
  (a scheduled message when it comes due), not in a background mover;
- a SQL filter that fails to evaluate dead-letters the subscription's copy with reason
  ``FilterEvaluationException`` (our wording; Azure's text is not documented);
- abandon/defer/dead-letter cannot modify application properties (``properties_to_modify`` is ignored
  by the AMQP layer);
- dead-lettered messages keep their sequence number; the dead-letter queue has no TTL;
- a message scheduled on a topic is filtered when it comes due, not when it is sent.

Layout: `ServiceBusProvider` (`service.py`) is the facade; its constructor is the one place that builds
the parts below and hands each the parts it needs, and each public method delegates to one part. A part
that uses others is a dataclass whose fields are those parts (frozen, but for `Timers`, which keeps its
task). Parts depend only on parts listed before them (no part knows the facade):

- `records.py`: the records (`Target`, `EntityInfo`, `SessionInfo`, `Entity`, `SessionLock`);
- `entities.py`: `Entities`, entity lookup by key or address; `building.py` builds it from the settings;
- `journal.py`: `Journal`, the only way to the store (`submit` without waiting, `commit` until durable);
- `timer_queue.py`: `TimerQueue`, the heaps of instants at which messages and session locks change;
- `sequences.py`: `Sequences`, sequence numbers beyond a send's own and the ops that record them;
- `indexes.py`: `Indexes`, ready heaps and their waiters, the lock-token table, handing a message out;
- `delivery.py`: `Delivery`, where an arriving message ends up (topic fan-out, forwarding, refusal);
- `dead_lettering.py`: `DeadLettering`, lost locks, expiry, dead-lettering;
- `session_locks.py`: `SessionLocks`, who holds which session until when, and ending a hold;
- `timers.py`: `Timers`, `process_due` and the timer task that applies the timer queue as it comes due;
- `loading.py`: `Loader`, the store's snapshot put back into the entities at start;
- `addressing.py`, `sending.py`, `receiving.py`, `settlement.py`, `sessions.py`, `session_state.py`,
  `rules.py`, `inspection.py`: the public operations, one part per group.
"""

from servicebus_emulator.provider.addressing import DEAD_LETTER_SUFFIX
from servicebus_emulator.provider.dead_lettering import MAX_DELIVERY_COUNT_EXCEEDED, TTL_EXPIRED
from servicebus_emulator.provider.delivery import (
    FILTER_EVALUATION_FAILED,
    MAX_HOPS,
    MAX_HOPS_EXCEEDED,
    SESSION_ID_IS_NULL,
)
from servicebus_emulator.provider.records import EntityInfo, SessionInfo, Target
from servicebus_emulator.provider.service import ServiceBusProvider

__all__ = [
    "DEAD_LETTER_SUFFIX",
    "FILTER_EVALUATION_FAILED",
    "MAX_DELIVERY_COUNT_EXCEEDED",
    "MAX_HOPS",
    "MAX_HOPS_EXCEEDED",
    "SESSION_ID_IS_NULL",
    "TTL_EXPIRED",
    "EntityInfo",
    "ServiceBusProvider",
    "SessionInfo",
    "Target",
]
