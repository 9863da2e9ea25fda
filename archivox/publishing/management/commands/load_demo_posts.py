"""Publish Nanjing's demo posts (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from archivox.publishing.demo import DemoPostsError, demo_posts_load


class Command(BaseCommand):
    help = "Publish two demo posts of Nanjing to the portal and the feeds."

    def handle(self, *args, **options) -> None:
        try:
            lines = demo_posts_load()
        except DemoPostsError as exc:
            raise CommandError(str(exc)) from exc
        for line in lines:
            self.stdout.write(line)
