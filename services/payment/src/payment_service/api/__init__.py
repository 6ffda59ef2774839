"""HTTP edge: Flask routes for the payments API and the worker's small operations endpoint."""
