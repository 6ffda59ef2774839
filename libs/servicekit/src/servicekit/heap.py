"""The cyclic garbage collector's settings for a long-running service, applied once its start-up is done.

CPython collects its youngest generation every 700 net container allocations, and each full collection
walks every tracked object, the tens of thousands that imports, SDK clients and caches made at start-up
included, to find that none of them is garbage. A service answering hundreds of requests a second, each
allocating many short-lived containers, spends a noticeable share of its CPU there (the product service
about a tenth under the load gate: services/product/README.md, Per-request overhead). So, once started:

* everything alive is collected once more and then frozen (``gc.freeze``): the start-up objects move to a
  permanent generation that no collection walks again;
* the young generation is collected every ``young`` allocations instead of 700, and the older ones after
  ``older`` collections of the one below instead of 10: fewer passes, each over more objects, and the
  cycles a request leaves behind are still freed within a fraction of a second under load.

Reference counting frees everything that is not in a cycle at once, whatever these settings.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 5000
OLDER_THRESHOLD = 20


def settle_after_startup(*, young: int = YOUNG_THRESHOLD, older: int = OLDER_THRESHOLD) -> int:
    """Collects, freezes what is left, and sets the thresholds; returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(young, older, older)
    return gc.get_freeze_count()
