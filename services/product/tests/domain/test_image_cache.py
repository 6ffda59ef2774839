"""Images kept in memory by product and entity tag, bounded by total bytes."""

from __future__ import annotations

from product_service.domain.image_cache import ImageCache


def test_image_is_found_under_its_own_entity_tag_only():
    cache = ImageCache(max_bytes=100, max_image_bytes=50)
    cache.put("a", '"v1"', b"one")

    assert cache.get("a", '"v1"') == b"one"
    assert cache.get("a", '"v2"') is None
    assert cache.get("b", '"v1"') is None


def test_a_new_version_replaces_the_old():
    cache = ImageCache(max_bytes=100, max_image_bytes=50)
    cache.put("a", '"v1"', b"one")
    cache.put("a", '"v2"', b"two")

    assert cache.get("a", '"v1"') is None
    assert cache.get("a", '"v2"') == b"two"


def test_least_recently_used_images_go_first_when_full():
    cache = ImageCache(max_bytes=10, max_image_bytes=10)
    cache.put("a", "t", b"aaaa")
    cache.put("b", "t", b"bbbb")
    cache.get("a", "t")  # "b" is now the least recently used
    cache.put("c", "t", b"cccc")

    assert cache.get("a", "t") == b"aaaa"
    assert cache.get("b", "t") is None
    assert cache.get("c", "t") == b"cccc"


def test_an_image_over_the_per_image_limit_is_not_kept():
    cache = ImageCache(max_bytes=100, max_image_bytes=4)
    cache.put("a", "t", b"12345")

    assert cache.get("a", "t") is None
