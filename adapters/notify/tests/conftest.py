"""Fixtures of the notifier tests (the servers live in notify_servers.py)."""

from notify_servers import clock, http_server, smtp_server, tls_smtp_server

__all__ = ["clock", "http_server", "smtp_server", "tls_smtp_server"]
