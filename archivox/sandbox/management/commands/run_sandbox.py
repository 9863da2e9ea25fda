import signal
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the WeChat and Weibo sandboxes alone, e.g. on port 8100 (never in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        self.stdout.write(
            f"sandboxes on http://{host}:{port}/sandbox/wechat/ and /sandbox/weibo/; Ctrl-C stops"
        )
        self.stdout.flush()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "archivox.sandbox.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--no-control-socket",  # one path per user; the site's own server runs beside
        ]
        server = subprocess.Popen(command)

        def stop(signum, frame) -> None:
            # gunicorn stops its workers gracefully on SIGTERM. Handled explicitly: a background
            # job started without job control inherits SIGINT ignored, and Ctrl-C must still work.
            server.terminate()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        sys.exit(server.wait())
