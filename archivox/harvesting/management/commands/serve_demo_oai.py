"""Serve a demo repository (by default Suzhou's garden archives, data/demo/union/) as an
independent OAI-PMH provider (pyoai's), for the union-catalog demo:
``python manage.py serve_demo_oai --port 8201``."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from archivox.harvesting.demo_provider import DemoProvider, load_yaml


class Command(BaseCommand):
    help = "Serve a demo OAI-PMH repository from a YAML file (pyoai's provider)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file", default=str(Path(settings.DEMO_DATA_DIR) / "union" / "suzhou-gardens.yaml")
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8201)

    def handle(self, *args, file: str, host: str, port: int, **options) -> None:
        provider = DemoProvider(load_yaml(Path(file)), host=host, port=port)
        self.stdout.write(f"OAI-PMH provider at {provider.base_url}")
        try:
            provider.serve_forever()
        except KeyboardInterrupt:
            provider.stop()
