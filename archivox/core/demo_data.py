"""Reading the demo data files under ``data/demo/`` (see its README.md).

The files are edited by hand, so every mistake is reported as one line naming the file and the
entry, and the files are read and checked in full before anything is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

# libyaml when it is there: the demo catalog is a few thousand lines, read on every load.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DemoDataError(ValueError):
    """A demo data file is missing, is not YAML, or holds a malformed entry."""


def demo_data_dir() -> Path:
    return Path(settings.DEMO_DATA_DIR)


def shown_path(path: Path) -> str:
    """The path as a reader finds it in the checkout (``data/demo/…``) when it is there."""
    try:
        return str(Path(path).resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def read_demo_yaml(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DemoDataError(f"{shown_path(path)}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DemoDataError(f"{shown_path(path)}: cannot be read as UTF-8 text ({exc})") from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DemoDataError(f"{shown_path(path)}: not valid YAML{where}: {problem}") from exc


class Entry:
    """One mapping of a demo file, read key by key; each error names the file and the entry."""

    def __init__(self, data: Any, *, path: Path, where: str, keys: Iterable[str]) -> None:
        self.path = path
        self.where = where
        if not isinstance(data, dict):
            raise self.error(f"expected a mapping of keys, found {_kind(data)}")
        self.data = data
        unknown = sorted(str(key) for key in data if key not in set(keys))
        if unknown:
            raise self.error(f"unknown key {', '.join(map(repr, unknown))}")

    def error(self, message: str) -> DemoDataError:
        return DemoDataError(f"{shown_path(self.path)}: {self.where}: {message}")

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise self.error(f"'{key}' is missing")
            return None
        return value

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            # YAML reads 1946 or 2016-01-01 or yes as numbers, dates or booleans: quote them.
            raise self.error(f"'{key}' must be text, found {_kind(value)} {value!r}")
        return value

    def choice(self, key: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if not value:
            return None
        choices = list(choices)
        if value not in choices:
            raise self.error(f"'{key}' is {value!r}; expected one of {', '.join(choices)}")
        return value

    def texts(self, key: str, *, required: bool = False) -> list[str]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(f"'{key}' must be a list of texts, e.g. [南京, 秦淮区]")
        return value

    def integers(self, key: str, count: int, *, low: int, high: int) -> list[int] | None:
        value = self._get(key, False)
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or len(value) != count
            or not all(isinstance(item, int) and not isinstance(item, bool) for item in value)
            or not all(low <= item <= high for item in value)
        ):
            raise self.error(f"'{key}' must be {count} whole numbers from {low} to {high}")
        return value

    def date(self, key: str) -> datetime.date | None:
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(f"'{key}' must be a date written YYYY-MM-DD, found {value!r}")

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            raise self.error(f"'{key}' must be true or false, found {value!r}")
        return value

    def entries(self, key: str, *, required: bool = False) -> list[Any]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"'{key}' must be a list of entries, found {_kind(value)}")
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)
