"""Opaque cursors: round trip, and refusal of anything else."""

from __future__ import annotations

import pytest
from product_service.domain.errors import InvalidCursorError
from product_service.domain.paging import decode_cursor, encode_cursor


def test_cursor_round_trips_the_continuation():
    cursor = encode_cursor('{"token":"+RID:abc#RT:1"}', "kitchen||")

    assert decode_cursor(cursor, "kitchen||") == '{"token":"+RID:abc#RT:1"}'


def test_cursor_is_url_safe():
    cursor = encode_cursor("+/=" * 20, "")

    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGpzb24", "eyJ2IjoyfQ"])
def test_garbage_cursor_is_refused(cursor):
    with pytest.raises(InvalidCursorError):
        decode_cursor(cursor, "")


def test_cursor_for_other_filter_is_refused():
    cursor = encode_cursor("token", "kitchen")

    with pytest.raises(InvalidCursorError, match="different"):
        decode_cursor(cursor, "toys")
