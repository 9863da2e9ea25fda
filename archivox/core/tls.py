"""One TLS context for every outgoing HTTPS client of a process.

An ``httpx.Client`` made with the default ``verify=True`` reads and parses the whole CA bundle:
about 40 ms of CPU, and the platform clients are made per delivery, per call to an account. At
500 deliveries that was a third of the workers' CPU (issue 24). A context is safe to share
between threads; the CA bundle is the one httpx would have chosen (``SSL_CERT_FILE``,
``SSL_CERT_DIR`` or certifi's)."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
