"""Notification rules: which message goes to whom for each order status, sent once per event. No SDK."""
