"""Azure Event Hubs emulator."""
