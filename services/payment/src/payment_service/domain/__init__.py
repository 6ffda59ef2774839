"""Payment rules: the ledger state machine and the outcome messages. No SDK, no I/O of its own."""
