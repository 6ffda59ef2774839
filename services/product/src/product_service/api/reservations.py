"""Stock reservations for the order saga. Every call is idempotent per order id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Request, Response, status
from servicekit.problems import ApiError

from product_service.api.deps import runtime_of
from product_service.api.links import links
from product_service.api.schemas import Problem, ReservationCreate, ReservationPublic
from product_service.domain.errors import ItemRejectedError
from product_service.domain.models import ID_PATTERN, Reservation

_PROBLEM: dict[str, Any] = {"model": Problem}
_Route = TypeVar("_Route", bound=Callable[..., Any])
router = APIRouter(
    prefix="/reservations",
    tags=["reservations"],
    responses={422: {**_PROBLEM, "description": "Invalid input; `errors` names each field"}},
)

OrderId = Annotated[str, Path(pattern=ID_PATTERN, examples=["ord-20250101-0001"])]
_STATE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {**_PROBLEM, "description": "No reservation for this order"},
    409: {**_PROBLEM, "description": "The reservation's state forbids this step (e.g. already released)"},
}


def _answer(
    reservation: Reservation, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The reservation as the declared response model renders it (camelCase, no nulls), serialised from
    the model built here: FastAPI would validate the returned model again before serialising it."""
    body = ReservationPublic.of(reservation)
    content = body.__pydantic_serializer__.to_json(body, by_alias=True, exclude_none=True)
    return Response(content, status_code, headers, media_type="application/json")


@router.post(
    "",
    response_model=ReservationPublic,
    response_model_exclude_none=True,
    status_code=status.HTTP_201_CREATED,
    summary="Reserve stock for an order (all items or none)",
    description=(
        "Repeating the call with the same order id and items gives the same result "
        "(`Idempotent-Replayed: true`), including the same refusal. Unconfirmed reservations expire "
        "after the configured TTL and their stock returns. Each item carries the product's `unitPrice` "
        "and `currency` as they were when its stock was held (a replay answers the same): the order "
        "service prices the order from them. Both are optional: a reservation made before reservations "
        "recorded prices has neither, and its client reads the products instead."
    ),
    responses={
        201: {
            "links": links(
                "/reservations/{order_id}",
                "order_id",
                "$response.body#/orderId",
                GetReservation="get",
            )
            | links(
                "/reservations/{order_id}/confirm",
                "order_id",
                "$response.body#/orderId",
                ConfirmReservation="post",
            )
            | links(
                "/reservations/{order_id}/release",
                "order_id",
                "$response.body#/orderId",
                ReleaseReservation="post",
            )
        },
        400: {**_PROBLEM, "description": "The body is not JSON (`type` .../malformed-json)"},
        408: {
            **_PROBLEM,
            "description": "The caller went away before the answer (`type` .../request-timeout): "
            "the reservation was released",
        },
        409: {
            **_PROBLEM,
            "description": "An item lacks stock (`productId`, `requested`, `available`), or the "
            "order id was used with different items",
        },
        422: {
            **_PROBLEM,
            "description": "An item names a product that does not exist, or the body is invalid",
        },
    },
)
async def reserve(body: ReservationCreate, request: Request) -> Response:
    reservations = runtime_of(request).reservations
    try:
        reservation, replayed = await reservations.reserve(body.order_id, body.lines())
    except ItemRejectedError as exc:
        exc.index = body.index_of(exc.problem.product_id)
        raise
    if not replayed and await request.is_disconnected():
        # The caller gave up before the answer (this process was paused or far behind, past the order
        # service's timeout): it has told its customer 503 and will never confirm or release this one, so
        # the stock goes back now instead of staying held, for an order that does not exist, until expiry.
        await reservations.release(reservation.order_id)
        raise ApiError(
            408,
            "Request Timeout",
            "the caller went away before the answer; the reservation was released",
            slug="request-timeout",
        )
    headers = {"Location": f"/reservations/{reservation.order_id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _answer(reservation, status.HTTP_201_CREATED, headers)


@router.get(
    "/{order_id}",
    response_model=ReservationPublic,
    response_model_exclude_none=True,
    summary="Get a reservation",
    responses=_STATE_ERRORS,
)
async def get_reservation(order_id: OrderId, request: Request) -> Response:
    return _answer(await runtime_of(request).reservations.get(order_id))


def _transition(step: str, summary: str, description: str | None = None) -> Callable[[_Route], _Route]:
    """The route for one step of a reservation's life (``POST /{order_id}/<step>``)."""
    return router.post(
        f"/{{order_id}}/{step}",
        response_model=ReservationPublic,
        response_model_exclude_none=True,
        summary=summary,
        description=description,
        responses=_STATE_ERRORS,
    )


@_transition("confirm", "Confirm: the held stock is sold")
async def confirm(order_id: OrderId, request: Request) -> Response:
    return _answer(await runtime_of(request).reservations.confirm(order_id))


@_transition(
    "release",
    "Release: the held stock returns to availability",
    "Releasing an expired reservation succeeds and reports EXPIRED (its stock already returned).",
)
async def release(order_id: OrderId, request: Request) -> Response:
    return _answer(await runtime_of(request).reservations.release(order_id))
