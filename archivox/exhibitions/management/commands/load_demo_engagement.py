"""``python manage.py load_demo_engagement``: reading rooms and exhibition halls for the demo
archives, Nanjing's online exhibition and a lecture (after load_demo_catalog; idempotent)."""

from django.core.management.base import BaseCommand

from archivox.exhibitions.demo import demo_exhibitions_load
from archivox.reservations.demo import demo_reservations_load


class Command(BaseCommand):
    help = "Load demo reservations (rooms, hours), an exhibition and a lecture (idempotent)."

    def handle(self, *args, **options) -> None:
        for line in [*demo_reservations_load(), *demo_exhibitions_load()]:
            self.stdout.write(line)
