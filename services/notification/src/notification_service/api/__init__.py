"""HTTP edge (aiohttp): operations endpoints and the notification log."""
