import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from archivox.core.personal_data import personal_data_export


class Command(BaseCommand):
    help = "Everything held about one person (a request for their data), as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "identifier", help="the person's email address, WeChat openid, Weibo uid or phone"
        )
        parser.add_argument("--out", type=Path, help="write to this file instead of stdout")

    def handle(self, *args, identifier: str, out: Path | None, **options) -> None:
        try:
            data = personal_data_export(identifier=identifier)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(
            {"identifier": identifier, "records": data},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            indent=2,
        )
        if out:
            out.write_text(text + "\n", encoding="utf-8")
            total = sum(len(records) for records in data.values())
            self.stdout.write(f"{out}: {total} records")
        else:
            self.stdout.write(text)
