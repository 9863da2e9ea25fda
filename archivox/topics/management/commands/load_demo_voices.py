"""Load the demo questionnaire and topic for Nanjing (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from archivox.topics.demo import DemoVoicesError, demo_voices_load


class Command(BaseCommand):
    help = "Add Nanjing's demo readers' questionnaire and the topic #南京民国建筑#."

    def handle(self, *args, **options):
        try:
            report = demo_voices_load()
        except DemoVoicesError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
