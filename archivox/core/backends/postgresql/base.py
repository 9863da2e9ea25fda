"""Django's PostgreSQL backend, with a health check that trusts a connection proven a moment ago.

Django's health check (``CONN_HEALTH_CHECKS``) asks ``SELECT 1`` before the first statement of
every request that reuses a connection: one of a WeChat callback's three or four round trips,
and under load each waits its turn for a CPU the web workers share with the database's backends
(15 % of the auto-reply path's time at saturation, issue 24). A connection that served a
request without a database error less than ``PROVEN_SECONDS`` ago is taken as alive; an idle
one is still checked, so a database restart costs no request after a pause. Within that
second, a connection the server dropped fails its request once, as Django's default (no health
check) would always: the WeChat callback answers 503 and WeChat tries again, nothing stored.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

# How long after a clean request a connection is trusted without a health check.
PROVEN_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    proven_at = float("-inf")

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and not self.health_check_done
            and time.monotonic() - self.proven_at < PROVEN_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self) -> None:
        # Called at the end of a request (and at the start of the next): health_check_done
        # says a cursor was taken since the last call, errors_occurred that a statement failed.
        used_cleanly = (
            self.connection is not None and self.health_check_done and not self.errors_occurred
        )
        super().close_if_unusable_or_obsolete()
        if used_cleanly and self.connection is not None:
            self.proven_at = time.monotonic()

    def close(self) -> None:
        self.proven_at = float("-inf")
        super().close()
