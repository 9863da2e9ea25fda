from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.catalog.demo import DemoCatalogError, demo_catalog_load


class Command(BaseCommand):
    help = (
        "Fill the demo archives (load_paper_survey) with a demo catalog: Nanjing's Republican-era "
        "buildings, Suzhou garden archives, Visual Hami and more. Marked is_demo. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--archive",
            action="append",
            dest="archives",
            metavar="SLUG",
            help="only this archive (repeatable); default: every demo archive that exists",
        )
        parser.add_argument(
            "--no-images",
            action="store_true",
            help="do not attach placeholder images to the items that have them",
        )

    def handle(self, *args, archives: list[str] | None = None, **options) -> None:
        try:
            report = demo_catalog_load(with_images=not options["no_images"], only=archives)
        except DemoCatalogError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
