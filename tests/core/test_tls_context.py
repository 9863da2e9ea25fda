"""One TLS context a process (core/tls.py), also when a worker's threads all ask at once."""

import ssl
import threading

import httpx

from archivox.core import tls


def test_threads_asking_together_share_one_context(monkeypatch):
    monkeypatch.setattr(tls, "_context", None)
    made = []
    create = httpx.create_ssl_context

    def counted(*args, **kwargs):
        made.append(1)
        return create(*args, **kwargs)

    # Counted, not replaced: the real context is made (the CA bundle read), once.
    monkeypatch.setattr(tls.httpx, "create_ssl_context", counted)
    start = threading.Barrier(16)
    contexts = []

    def ask():
        start.wait()
        contexts.append(tls.tls_context())

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert len(contexts) == 16 and all(context is contexts[0] for context in contexts)
    assert isinstance(contexts[0], ssl.SSLContext)
    assert contexts[0].verify_mode == ssl.CERT_REQUIRED
