"""The audit log in the reader's language (issue 21): every action the services record has a
label, models and fields are named by their verbose names, stored values by their choices'
labels; an unknown action is still readable."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from archivox.core import services as core_services
from archivox.core.audit_labels import (
    AUDIT_ACTION_LABELS,
    AUDIT_KEY_LABELS,
    AUDIT_NOUNS,
    AUDIT_VERBS,
    audit_action_label,
)
from archivox.core.models import PlatformAccount

pytestmark = pytest.mark.django_db

# Actions of records-use requests are recorded as f"records_request.{step}".
RECORDS_STEPS = ("verify", "claim", "forward", "link", "result", "release", "close", "issue")


def _recorded_actions() -> set[str]:
    codes = {f"records_request.{step}" for step in RECORDS_STEPS}
    for path in (Path(settings.BASE_DIR) / "archivox").rglob("*.py"):
        if "migrations" in path.parts or "sandbox" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for line in re.findall(r"\baction=.*", text):
            # action="x.y", and both of action="x.y" if … else "x.z"
            codes |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', line))
    return codes | {"admin.add", "admin.change"}  # f"admin.{'change' if … else 'add'}"


def test_every_action_the_services_record_has_a_chinese_label():
    recorded = _recorded_actions()
    assert len(recorded) > 100
    missing = sorted(recorded - set(AUDIT_ACTION_LABELS))
    assert not missing, f"give these audit actions a label in core/audit_labels.py: {missing}"
    with translation.override("zh-hans"):
        for label in [*AUDIT_ACTION_LABELS.values(), *AUDIT_NOUNS.values(), *AUDIT_VERBS.values()]:
            text = str(label)
            assert re.search(r"[\u4e00-\u9fff]", text), text
            assert not re.search(r"[A-Za-z]", text), text


def _recorded_keys() -> set[str]:
    """The keys the services write into an entry's before/after by name: a dict literal given
    to ``audit_record``, and the extra keywords of publishing's ``_transition`` (which records
    them beside the status)."""
    keys: set[str] = set()
    for path in (Path(settings.BASE_DIR) / "archivox").rglob("*.py"):
        if "migrations" in path.parts or "sandbox" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            for keyword in node.keywords:
                if called == "audit_record" and keyword.arg in ("before", "after"):
                    if isinstance(keyword.value, ast.Dict):
                        keys |= {
                            key.value
                            for key in keyword.value.keys
                            if isinstance(key, ast.Constant) and isinstance(key.value, str)
                        }
                elif called == "_transition" and keyword.arg not in (
                    None,
                    "actor",
                    "post",
                    "to",
                    "action",
                ):
                    keys.add(keyword.arg)
    return keys


def test_every_key_the_services_record_has_a_chinese_label():
    recorded = _recorded_keys()
    assert {"level", "levels", "warnings", "reason", "status"} <= recorded
    missing = sorted(recorded - set(AUDIT_KEY_LABELS))
    assert not missing, f"give these recorded keys a label in core/audit_labels.py: {missing}"
    with translation.override("zh-hans"):
        for key, label in AUDIT_KEY_LABELS.items():
            assert re.search(r"[\u4e00-\u9fff]", str(label)), (key, str(label))


def test_an_unknown_action_reads_by_its_noun_and_verb_or_as_another_change():
    with translation.override("zh-hans"):
        assert audit_action_label("post.approve") == ("审核通过", True)
        assert audit_action_label("post.archive.delete") == ("推文：删除", False)
        assert audit_action_label("post.frobnicate") == ("推文：其他操作", False)
        assert audit_action_label("widget.frobnicate") == ("其他操作", False)


@pytest.mark.chinese
def test_the_audit_page_names_actions_models_fields_and_values_in_chinese(
    client, nanjing, administrator, reviewer
):
    core_services.platform_account_update(
        actor=administrator,
        archive=nanjing,
        platform=PlatformAccount.Platform.WECHAT,
        name="南京档案",
        app_secret="s3cret-value",
        message_mode="plaintext",
        is_active=True,
    )
    core_services.archive_profile_update(
        actor=administrator, archive=nanjing, phone="025-8480 0000"
    )
    core_services.audit_record(actor=None, action="widget.frobnicate", archive=nanjing)
    # Keys that are no field of the model: named from AUDIT_KEY_LABELS.
    core_services.audit_record(
        actor=None,
        action="post.approve",
        archive=nanjing,
        object_type="publishing.post",
        object_repr="档案里的中山陵",
        before={"status": "in_review"},
        after={"status": "approved", "level": 1, "levels": 2},
    )
    core_services.audit_record(
        actor=None,
        action="consultation.answer",
        archive=nanjing,
        object_type="engagement.consultation",
        object_repr="问：查档",
        after={"via": "wechat", "state": "window"},
    )
    client.force_login(reviewer)
    page = client.get(reverse("console:archive_audit", args=["nanjing"])).content.decode()
    assert "设置平台账号" in page and "修改档案馆信息" in page  # the actions
    assert "s3cret" not in page and "（已设置，不显示）" in page  # a secret stays unshown
    assert "明文模式" in page or "明文" in page  # a choice by its label
    assert "platform_account.create" not in page.split("<tbody>")[1].split('data-action="')[0]
    assert "审核级次：" in page and "审核级数：" in page
    assert '<code translate="no">level' not in page
    assert "答复途径：" in page and "48" in page.split("答复途径：")[1].split("</ul>")[0]
    assert ">系统<" in page  # the system as a word
    assert "南京市档案馆" in page  # the archive by its name, not its slug
    # An unknown action: a readable label, and its code for the record.
    assert "其他操作" in page and '<code class="muted" translate="no">widget.frobnicate' in page
    # The filter offers the actions by their labels.
    assert '<option value="post.">全部：推文</option>' in page
    assert '<option value="post.approve">审核通过</option>' in page


def test_a_field_kept_in_english_is_marked_so(client, nanjing, reviewer, make_description):
    make_description("MG", "民国建筑档案", level="fonds", title_en="Republican buildings")
    client.force_login(reviewer)
    page = client.get(reverse("console:archive_audit", args=["nanjing"])).content.decode()
    assert '<ins lang="en">Republican buildings</ins>' in page
