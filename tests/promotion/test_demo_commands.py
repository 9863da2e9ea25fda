"""The demo of `make run` gains Nanjing's collecting campaign and weeks of counted searches,
run for real against the demo catalog; both commands may run again."""

import pytest
from django.core.management import call_command

from archivox.catalog.models import PublicDemand
from archivox.collecting.models import Campaign
from archivox.promotion.demand import demand_report

pytestmark = pytest.mark.django_db


def test_the_demo_collecting_campaign_and_demand(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    for command in ("load_paper_survey", "load_demo_catalog"):
        call_command(command, verbosity=0)
    for _ in range(2):
        call_command("load_demo_collecting")
        call_command("load_demo_demand")
    campaign = Campaign.objects.get(archive__slug="nanjing")
    assert campaign.title == "南京老照片·家庭记忆征集" and campaign.is_open
    report = demand_report(archives=[campaign.archive])
    top, zero = report.sections[0], report.sections[1]
    assert top.rows and zero.rows
    searched = {row.label for row in top.rows}
    assert "白崇禧" in searched  # the demo catalog has him: not a zero-hit term
    assert "白崇禧" not in {row.label for row in zero.rows}
    assert PublicDemand.objects.filter(kind="search", key="白崇禧").count() == 6  # one per week
