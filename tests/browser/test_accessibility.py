"""The portal's main pages pass an axe-core scan (issue 21): no serious or critical violation,
at 360 px and 1280 px, on the demo data of `make run`. axe-core comes from npm
(frontend/package.json, copied to tests/browser/vendor/ by `npm run build`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from archivox.catalog.models import Description
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCAN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


@pytest.fixture
def demo(settings, live_server, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = live_server.url
    for command in ("load_paper_survey", "load_demo_catalog", "load_demo_engagement"):
        call_command(command, verbosity=0)


def _pages() -> list[str]:
    item = Description.objects.filter(archive__slug="nanjing", level="item").first()
    return [
        "/",
        "/archives/nanjing/",
        "/search/?q=南京",
        f"/archives/nanjing/catalog/{item.reference_code}/",
        "/archives/nanjing/catalog/",
        "/archives/nanjing/posts/",
        "/archives/nanjing/exhibitions/",
        "/archives/nanjing/reservations/",
        "/archives/nanjing/ask/",
        "/archives/nanjing/posts/subscribe/",
        "/archives/no-such-archive/",
    ]


@pytest.mark.parametrize("width", [360, 1280])
def test_the_portals_main_pages_have_no_serious_accessibility_violation(
    chromium, live_server, demo, width
):
    # The scan is injected by the test, so the page's own CSP (scripts from 'self' only) is
    # bypassed for it alone.
    context = chromium.new_context(
        viewport={"width": width, "height": 800},
        is_mobile=width < 500,
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
        bypass_csp=True,
    )
    page = context.new_page()
    problems: dict[str, list] = {}
    try:
        for path in _pages():
            page.goto(f"{live_server.url}{path}", wait_until="networkidle")
            page.add_script_tag(path=str(AXE))
            found = [v for v in page.evaluate(SCAN) if v["impact"] in ("serious", "critical")]
            if found:
                problems[path] = found
                screenshot(page, f"axe-{width}-{path.strip('/').replace('/', '-') or 'home'}")
    finally:
        context.close()
    assert not problems, "\n".join(
        f"{path}: {v['impact']} {v['id']} ({v['help']}) at {v['targets']}"
        for path, found in problems.items()
        for v in found
    )
