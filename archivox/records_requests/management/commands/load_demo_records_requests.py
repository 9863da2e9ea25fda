from django.core.management.base import BaseCommand

from archivox.records_requests.demo import demo_records_requests_load


class Command(BaseCommand):
    help = "Load demo request kinds, a 2026 holiday calendar and demo records-use requests."

    def handle(self, *args, **options) -> None:
        for line in demo_records_requests_load():
            self.stdout.write(line)
