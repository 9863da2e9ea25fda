"""``manage.py poll_inbox [--weibo] [--imap]``: poll Weibo comments/mentions and the IMAP mailbox
now (the Huey periodic tasks do it every few minutes)."""

from django.core.management.base import BaseCommand

from archivox.consultations.services import intake


class Command(BaseCommand):
    help = "Poll Weibo comments and mentions, and the IMAP mailbox if configured, into the inbox."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--weibo", action="store_true")
        parser.add_argument("--imap", action="store_true")

    def handle(self, *args, weibo: bool, imap: bool, **options) -> None:
        both = not weibo and not imap
        if weibo or both:
            self.stdout.write(f"weibo: {intake.weibo_poll_all()} new messages")
        if imap or both:
            self.stdout.write(f"imap: {intake.imap_poll()} new messages")
