"""One TLS context for every outgoing HTTPS client of a process.

An ``httpx.Client`` made with the default ``verify=True`` reads and parses the whole CA bundle:
about 40 ms of CPU, and the platform clients are made per delivery, per call to an account. At
500 deliveries that was a third of the workers' CPU (issue 24). A context is safe to share
between threads; the CA bundle is the one httpx would have chosen (``SSL_CERT_FILE``,
``SSL_CERT_DIR`` or certifi's)."""

from __future__ import annotations

import ssl
import threading

import httpx

_lock = threading.Lock()
_context: ssl.SSLContext | None = None


def tls_context() -> ssl.SSLContext:
    # Made under a lock: a worker's 32 threads take their first tasks together, and with an
    # unguarded cache each made its own context (5 % of the fan-out's worker CPU, issue 24).
    global _context
    if _context is None:
        with _lock:
            if _context is None:
                _context = httpx.create_ssl_context()
    return _context
