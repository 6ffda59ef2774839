"""Contoso Shop's Chaos Toolkit extension and runner: fault rules on the emulators (`faults`), process faults
through shopctl (`processes`), a seeded background order stream (`load`), waits and probes (`waits`,
`probes`, the invariants of `shop_invariants`), experiment validation and the matrix runner."""
