"""Django's SQLite backend, writers queued on an OS file lock (``archivox.core.writer_lock``)."""
