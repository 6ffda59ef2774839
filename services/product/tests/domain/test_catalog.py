"""Pure catalog rules."""

from __future__ import annotations

from product_service.domain.catalog import same_version


def test_same_version_ignores_quotes_and_weakness():
    assert same_version('"abc"', "abc")
    assert same_version('W/"abc"', '"abc"')
    assert not same_version('"abc"', '"abd"')
