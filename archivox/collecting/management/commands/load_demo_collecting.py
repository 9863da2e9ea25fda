"""``python manage.py load_demo_collecting``: Nanjing's collecting campaign (idempotent)."""

from django.core.management.base import BaseCommand

from archivox.collecting.demo import demo_collecting_load


class Command(BaseCommand):
    help = "Load the demo collecting campaign of Nanjing (idempotent)."

    def handle(self, *args, **options) -> None:
        for line in demo_collecting_load():
            self.stdout.write(line)
