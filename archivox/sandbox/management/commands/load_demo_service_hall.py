from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.core.models import Archive
from archivox.sandbox.provisioning import SandboxDisabled, sandbox_demo_hall_ensure


class Command(BaseCommand):
    help = (
        "Give every demo archive (or the named ones) its WeChat service hall on the sandbox: "
        "auto-reply rules (a catalog search among them) and a published custom menu."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="archives (default: every demo archive)")

    def handle(self, *args, slugs: list[str], **options) -> None:
        archives = (
            Archive.objects.filter(slug__in=slugs)
            if slugs
            else Archive.objects.filter(is_demo=True)
        )
        missing = set(slugs) - set(archives.values_list("slug", flat=True))
        if missing:
            raise CommandError(f"no archive with slug {', '.join(sorted(missing))}")
        count = 0
        try:
            for archive in archives.order_by("slug"):
                count += sandbox_demo_hall_ensure(archive)
        except SandboxDisabled as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"menus and auto-replies ready for {count} archives")
