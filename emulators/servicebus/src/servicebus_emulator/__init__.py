"""Azure Service Bus emulator: entities, provider, store, admin API and entry point."""
