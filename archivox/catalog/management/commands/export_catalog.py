"""``manage.py export_catalog ARCHIVE_SLUG``: write the public (or, for staff, the whole) catalog
of an archive or of one fonds as CSV or EAD 2002."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from archivox.catalog.exports import ExportError, catalog_export
from archivox.core.models import Archive, User
from archivox.core.selectors import ArchivePermissionDenied


class _Sink:
    """A text stream onto the command's stdout that adds no line endings of its own."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> int:
        self.wrapper.write(text, ending="")
        return len(text)


class Command(BaseCommand):
    help = (
        "Export an archive's catalog (or one fonds) as CSV or EAD 2002. Without --staff only "
        "what the public may see is exported; --staff --user U exports everything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the archive's slug, e.g. nanjing")
        parser.add_argument("--fonds", metavar="REF", help="export only this description's tree")
        parser.add_argument("--format", choices=["csv", "ead"], default="csv")
        parser.add_argument("--out", type=Path, help="the file to write (default: stdout)")
        parser.add_argument(
            "--staff",
            action="store_true",
            help="export everything, closed and confidential material too (needs --user)",
        )
        parser.add_argument("--user", help="the staff member exporting (with --staff)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            archive = Archive.objects.get(slug=options["archive"])
        except Archive.DoesNotExist:
            raise CommandError(f"no archive with the slug {options['archive']!r}") from None
        user = None
        if options["staff"]:
            if not options["user"]:
                raise CommandError("--staff needs --user USERNAME, a user who may see closed files")
            try:
                user = User.objects.get(username=options["user"])
            except User.DoesNotExist:
                raise CommandError(f"no user {options['user']!r}") from None
        out_path: Path | None = options["out"]
        export = {
            "archive": archive,
            "format": options["format"],
            "fonds": options["fonds"],
            "user": user,
        }
        try:
            if out_path is None:
                count = catalog_export(out=_Sink(self.stdout), **export)
            else:
                # A BOM for CSV files, so that spreadsheet programs read Chinese as UTF-8.
                encoding = "utf-8-sig" if options["format"] == "csv" else "utf-8"
                partial = out_path.with_name(f".{out_path.name}.partial")
                with partial.open("w", encoding=encoding, newline="") as handle:
                    count = catalog_export(out=handle, **export)
                partial.replace(out_path)
        except (ExportError, ArchivePermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot write {out_path}: {exc.strerror}") from exc
        finally:
            if out_path is not None:
                out_path.with_name(f".{out_path.name}.partial").unlink(missing_ok=True)
        scope = f"fonds {options['fonds']}" if options["fonds"] else "the catalog"
        audience = "staff" if user is not None else "public"
        destination = str(out_path) if out_path is not None else "stdout"
        self.stderr.write(
            f"{count:,} descriptions of {scope} of {archive.slug} ({audience}, "
            f"{options['format']}) written to {destination}",
            style_func=lambda text: text,
        )
