"""``python manage.py load_demo_demand``: weeks of demo searches for Nanjing (after
load_demo_catalog;
leaves counts that are there alone)."""

from django.core.management.base import BaseCommand

from archivox.promotion.demo import demo_demand_load


class Command(BaseCommand):
    help = "Load demo search counts for the demand dashboard (after load_demo_catalog)."

    def handle(self, *args, **options) -> None:
        for line in demo_demand_load():
            self.stdout.write(line)
