"""Every page of the staff console, whatever its area, sends an anonymous visitor to the login
page (walked from the URL configuration, so a new page cannot forget)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

OPEN_TO_ALL = {"console/login/", "console/logout/"}
SAMPLE = {"int": "1", "slug": "nanjing", "str": "x", "path": "B0001"}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def console_paths() -> list[str]:
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("console/"):
                found.append(CONVERTER.sub(lambda m: SAMPLE.get(m.group(1) or "str", "x"), route))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found) - OPEN_TO_ALL)


def test_the_walk_finds_every_area_of_the_console():
    paths = console_paths()
    for area in ("publishing", "inbox", "reservations", "exhibitions", "polls", "topics", "survey"):
        assert any(path.startswith(f"console/{area}/") for path in paths), area
    assert len(paths) > 40


@pytest.mark.parametrize("path", console_paths())
def test_an_anonymous_visitor_is_sent_to_log_in(client, path):
    for method in (client.get, client.post):
        response = method("/" + path)
        assert response.status_code in (302, 405), (path, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/console/login/"), (path, response["Location"])
