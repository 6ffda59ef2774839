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

Layout: one class, `ServiceBusProvider` (`service.py`), assembled from layers that each keep one job.
Every layer subclasses the layer whose methods it calls; all share the attributes `_State` sets up.

- `entities.py`: the records (`Target`, `EntityInfo`, `SessionInfo`, the per-entity state);
- `state.py`: shared attributes, entity lookup, store plumbing (`_submit`, `_commit`);
- `indexes.py`: ready heaps and waiters, the lock-token table, timer arming;
- `delivery.py`: where an arriving message ends up (topic fan-out, forwarding, refusal);
- `dead_lettering.py`: lost locks, expiry, dead-lettering;
- `timers.py`: the timer task and `process_due` (scheduled messages, lock and session-lock expiry, TTL);
- `loading.py`: entities from the settings, state from the store;
- `addressing.py`, `sending.py`, `receiving.py`, `sessions.py`, `settlement.py`, `rules.py`,
  `inspection.py`: the public operations, grouped by what they do.
"""

from servicebus_emulator.provider.addressing import DEAD_LETTER_SUFFIX
from servicebus_emulator.provider.dead_lettering import MAX_DELIVERY_COUNT_EXCEEDED, TTL_EXPIRED
from servicebus_emulator.provider.delivery import (
    FILTER_EVALUATION_FAILED,
    MAX_HOPS,
    MAX_HOPS_EXCEEDED,
    SESSION_ID_IS_NULL,
)
from servicebus_emulator.provider.entities import EntityInfo, SessionInfo, Target
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
