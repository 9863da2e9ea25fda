from django.core.management.base import BaseCommand

from archivox.core.demo import demo_staff_ensure


class Command(BaseCommand):
    help = "Create (or keep) the demo staff accounts and print their credentials."

    def handle(self, *args, **options) -> None:
        for account in demo_staff_ensure():
            self.stdout.write(
                f"demo staff: user {account.username!r} password {account.password!r} "
                f"({account.description})"
            )
