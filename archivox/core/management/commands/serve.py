"""Serve the site and run a background worker beside it; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from archivox.core.health import database_check, queue_check


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and a Huey worker together until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        # HOST and PORT are what `make run` exports; settings build the links' address from them.
        parser.add_argument("--host", default=os.environ.get("HOST", "").strip() or "127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "") or 8000))
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args, host: str, port: int, web_workers: int, **options) -> None:
        # Fail before starting anything when the database or the queue is not there.
        database_check()
        queue_check()
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "archivox.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(web_workers),
            "--access-logfile",
            "-",
            # Callback query strings and openids are left out of the access log (issue 17).
            "--logger-class",
            "archivox.core.access_log.RedactingLogger",
            "--graceful-timeout",
            "5",
            # gunicorn's control socket is one path per user: a second server (the sandboxes,
            # another site) would take it over. We don't use it.
            "--no-control-socket",
        ]
        worker = [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_huey"]
        # The web server and the worker build their links (and, with the sandboxes, the
        # platforms' address) from where the site really listens, however it was given.
        env = {**os.environ, "HOST": host, "PORT": str(port)}
        processes = [subprocess.Popen(web, env=env), subprocess.Popen(worker, env=env)]
        self.stdout.write(
            f"Archivox on http://{host}:{port}/ with a background worker; Ctrl-C stops both."
        )
        self.stdout.flush()

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        # Explicitly: a process started in the background by a shell without job control (nohup
        # … &, some CI runners) inherits SIGINT ignored, and Ctrl-C must still stop both.
        signal.signal(signal.SIGINT, stop)
        exit_code = 0
        try:
            # If either process dies, stop the other: half a service is worse than none.
            while all(process.poll() is None for process in processes):
                time.sleep(0.3)
            exit_code = next(p.returncode for p in processes if p.returncode is not None) or 1
            self.stderr.write("a process stopped unexpectedly; stopping the other")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process, name in zip(processes, ("the web server", "the worker"), strict=True):
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self.stderr.write(f"{name} did not stop within 10 s; killing it")
                    process.kill()
                    # Wait for it too: a killed child nobody waits for stays in the process table
                    # (where nothing reaps orphans, as in some containers) and looks alive.
                    process.wait()
        if exit_code:
            sys.exit(exit_code)
