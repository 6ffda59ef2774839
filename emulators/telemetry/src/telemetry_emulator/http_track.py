"""``POST /v2/track`` and ``/v2.1/track``: the Application Insights ingestion API, as the Azure Monitor
exporters call it (``IngestionEndpoint`` of the connection string + ``/v2.1/track``).

Answers ``{"itemsReceived": n, "itemsAccepted": n, "errors": []}`` (200), 206 with ``errors`` naming each
refused envelope by index when some are kept, 400 in the same shape when nothing could be kept. The
instrumentation key is not checked: any key is accepted, as a local sink should.
"""

from __future__ import annotations

import logging

from aiohttp import web
from emulator_common.admin_http import json_response

from telemetry_emulator.appinsights import (
    TrackBodyError,
    TrackBodyTooLargeError,
    body_error_response,
    decode_track_body,
)
from telemetry_emulator.state import STATE_KEY

log = logging.getLogger(__name__)


async def receive_track(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await request.read()
    try:
        batch = decode_track_body(body, state.max_body_bytes)
    except TrackBodyTooLargeError as error:
        return json_response(body_error_response(str(error)), status=413)
    except TrackBodyError as error:
        log.warning("track refused", extra={"reason": str(error)[:200], "bytes": len(body)})
        return json_response(body_error_response(str(error)), status=400)
    state.envelopes.add(batch.accepted)
    state.metrics.envelopes_received += len(batch.accepted)
    return json_response(batch.response(), status=batch.status)
