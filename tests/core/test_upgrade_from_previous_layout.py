"""An installation made before the apps were named by service (consultations, reservations,
exhibitions, polls and topics were all under ``archivox/engagement/``) migrates forward with every
row intact: the code of that release builds a database with the demo and a question in the inbox,
then this code migrates it and reads it."""

from __future__ import annotations

import json
import subprocess
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.helpers import REPO, child_env, manage_ok

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The last commit with the former layout (everything public under archivox/engagement/).
PREVIOUS_LAYOUT = "6039770d489466cf9a4926b4ee74e92a1a9693e2"

DEMO = [
    ["migrate", "--noinput", "-v", "0"],
    ["load_paper_survey"],
    ["load_demo_catalog"],
    ["load_demo_engagement"],
    ["load_demo_voices"],
    ["create_demo_staff"],
    ["load_demo_posts"],
]

# Run by the former code: a question through the portal's service and the row counts.
ASK_AND_COUNT = """
import json
from archivox.core.models import Archive
from archivox.core.backup import table_counts
from archivox.engagement import services
services.consultation_ask(archive=Archive.objects.get(slug="nanjing"), name="王小明",
    email="wang@example.com", question="请问如何查阅1936年的婚姻登记档案？")
print(json.dumps(table_counts()))
"""

COUNT = """
import json
from archivox.core.backup import table_counts
print(json.dumps(table_counts()))
"""

READ_BACK = """
import json
from archivox.consultations.models import Consultation
from archivox.core.models import AuditEntry
from archivox.reservations.models import Resource
question = Consultation.objects.get(person="wang@example.com")
print(json.dumps({
    "question": question.messages.first().content,
    "resources": Resource.objects.count(),
    "actions": sorted(set(AuditEntry.objects.values_list("action", flat=True))),
}))
"""


def former_release(destination: Path) -> Path:
    """The former release's code, as `git archive` gives it (no work tree is touched)."""
    known = subprocess.run(
        ["git", "cat-file", "-e", f"{PREVIOUS_LAYOUT}^{{commit}}"], cwd=REPO, check=False
    )
    if known.returncode != 0:
        pytest.fail(f"commit {PREVIOUS_LAYOUT[:7]} is not in this clone; clone with history")
    archive = destination / "release.tar"
    subprocess.run(
        ["git", "archive", "--format=tar", "-o", str(archive), PREVIOUS_LAYOUT],
        cwd=REPO,
        check=True,
    )
    code = destination / "release"
    with tarfile.open(archive) as tar:
        tar.extractall(code, filter="data")
    return code


def run(code: Path, env: dict[str, str], *args: str) -> str:
    return manage_ok(*args, env=env, timeout=600, code=code)


@pytest.fixture
def empty_database(tmp_path):
    """A database of the engine under test that neither release has touched yet."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'installation.sqlite3'}"
        return
    config = connection.settings_dict
    server = (
        f"postgresql://{config.get('USER') or 'postgres'}@{config.get('HOST') or '127.0.0.1'}"
        f":{config.get('PORT') or 5432}"
    )
    name = f"archivox_upgrade_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_installation_of_the_former_layout_migrates_forward_with_every_row(
    tmp_path, empty_database
):
    former = former_release(tmp_path)
    env = child_env(
        DATABASE_URL=empty_database,
        ARCHIVOX_VAR_DIR=str(tmp_path / "var"),
        ARCHIVOX_MEDIA_ROOT=str(tmp_path / "media"),
        ARCHIVOX_SANDBOX="1",
        ARCHIVOX_WARM_START="0",
    )
    for command in DEMO:
        run(former, env, *command)
    before = json.loads(run(former, env, "shell", "-v", "0", "-c", ASK_AND_COUNT))
    assert before["engagement_consultation"] >= 1 and before["engagement_reservations_resource"]

    run(REPO, env, "migrate", "--noinput", "-v", "0")
    after = json.loads(run(REPO, env, "shell", "-v", "0", "-c", COUNT))
    # Every table, every row: nothing lost, nothing added. Models added since (new apps) bring
    # their empty tables and, from Django, their content types and permissions, and only those.
    derived = {"auth_permission", "django_content_type"}
    assert {t: after.get(t) for t in before if t not in derived} == {
        t: n for t, n in before.items() if t not in derived
    }
    assert all(after[t] >= before[t] for t in derived)
    # A table added since may hold rows computed from the ones kept: the survey's monthly
    # roll-up of the post records (at most one row a post).
    computed = {"survey_postmonth"}
    assert 0 < after["survey_postmonth"] <= before["survey_postrecord"]
    assert {t: n for t, n in after.items() if t not in set(before) | computed and n} == {}

    read = json.loads(run(REPO, env, "shell", "-v", "0", "-c", READ_BACK))
    assert read["question"] == "请问如何查阅1936年的婚姻登记档案？"
    assert read["resources"] == before["engagement_reservations_resource"]
    # The audit trail of the former release now reads in the one naming style.
    assert "resource.create" in read["actions"]
    assert not [action for action in read["actions"] if action.startswith("reservations.")]
    run(REPO, env, "migrate", "--check", "--noinput")  # fails while a migration is unapplied
