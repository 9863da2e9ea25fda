import datetime
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.utils import translation

from archivox.core.paper_survey import default_paper_survey_path
from archivox.survey import selectors, services
from archivox.survey.models import Platform, Survey
from tests.factories import RegionFactory, UserFactory

# The generated survey's reference day and its known properties.
GENERATED_DAY = datetime.date(2024, 6, 30)
SILENT_DAYS = 60
REGION_WITHOUT_WECHAT = "gamma"
SILENT_ARCHIVE = "alpha-district"


@pytest.fixture
def english():
    """Run under English: the wording these tests assert is the English one (the default
    language is Simplified Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def paper_data() -> dict:
    return yaml.safe_load(default_paper_survey_path().read_text(encoding="utf-8"))


@pytest.fixture
def paper(db) -> Survey:
    call_command("load_paper_survey", stdout=StringIO())
    return Survey.objects.get(slug=services.PAPER_SURVEY_SLUG)


@pytest.fixture
def paper_scope(paper) -> selectors.Scope:
    return selectors.scope_get(survey=paper)


@pytest.fixture
def staff(db):
    return UserFactory(username="supervisor", is_staff=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def build_generated_survey(*, extra_regions: int = 0) -> Survey:
    """Three regions (alpha, beta, gamma), each with a city and a district archive, all on Weibo
    and WeChat except gamma (no WeChat at all). Every account posts an original every other day
    with good reads, likes and comments and has 20–30 thousand followers, except the alpha
    district archive, silent for the last 60 days."""
    codes = ["alpha", "beta", "gamma"] + [f"extra{n}" for n in range(extra_regions)]
    regions = [RegionFactory(code=code, name=code.title(), name_zh=f"{code}地区") for code in codes]
    survey = services.survey_create(
        actor=None,
        slug="generated",
        title="Generated survey",
        method="generated for the tests",
        cutoff=GENERATED_DAY,
        regions=regions,
    )
    followers = 20_000
    for region in regions:
        for level in ("city", "district"):
            institution = services.institution_create(
                actor=None,
                slug=f"{region.code}-{level}",
                name=f"{region.name} {level} archives",
                name_zh=f"{region.name_zh}{'市' if level == 'city' else '区'}档案馆",
                level=level,
                region=region,
            )
            platforms = [Platform.WEIBO]
            if region.code != REGION_WITHOUT_WECHAT:
                platforms.append(Platform.WECHAT)
            for platform in platforms:
                account = services.account_create(
                    actor=None,
                    institution=institution,
                    platform=platform,
                    handle=f"{institution.slug}-{platform}",
                    opened_on=GENERATED_DAY - datetime.timedelta(days=400),
                )
                followers += 1_000
                services.snapshot_record(account=account, date=GENERATED_DAY, followers=followers)
                silent = institution.slug == SILENT_ARCHIVE
                last = SILENT_DAYS if silent else 0
                for days_ago in range(last, 90, 2):
                    services.post_record_save(
                        account=account,
                        published_at=datetime.datetime.combine(
                            GENERATED_DAY - datetime.timedelta(days=days_ago),
                            datetime.time(9, 30),
                        ),
                        title=f"Featured archive {days_ago}",
                        column="Featured archives",
                        is_original=True,
                        reads=2_000,
                        likes=60,
                        comments=10,
                        shares=5,
                    )
    return survey


@pytest.fixture
def generated(db) -> Survey:
    return build_generated_survey()
