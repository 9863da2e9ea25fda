"""The inbox console's forms: a refused action names the field by its label, keeps what was
typed and changes nothing; Chinese staff read it in Chinese."""

import pytest

from archivox.consultations import services
from archivox.consultations.models import AutoReplyRule, CannedAnswer, InboxSettings
from tests.factories import UserFactory

RULES = "/console/inbox/rules/nanjing/"


def test_a_word_in_a_number_field_is_named_by_its_label_and_nothing_changes(
    client, inbox_archive, staff
):
    client.force_login(staff)
    response = client.post(
        RULES, {"action": "settings", "promise_working_days": "five", "flood_per_minute": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Answer within (working days): Enter a whole number." in page
    assert "promise_working_days" not in page.split("<form", 1)[0]  # no input names in the message
    assert not InboxSettings.objects.exists()


def test_empty_number_fields_mean_the_defaults(client, inbox_archive, staff):
    from archivox.consultations import selectors

    client.force_login(staff)
    settings = {"promise_working_days": "", "flood_per_minute": "", "tags": "家谱\n"}
    response = client.post(RULES, {"action": "settings", **settings})
    assert response.status_code == 302
    saved = InboxSettings.objects.get(archive=inbox_archive)
    assert saved.promise_working_days == selectors.default_promise_working_days()
    assert saved.flood_per_minute == selectors.DEFAULT_FLOOD_PER_MINUTE
    assert saved.tags == ["家谱"]


@pytest.mark.chinese
def test_a_refused_rule_is_explained_in_chinese_with_the_fields_label(client, inbox_archive, staff):
    client.force_login(staff)
    response = client.post(
        RULES,
        {"action": "create_rule", "name": "坏规则", "match": "regex", "pattern": "(a+)+",
         "kind": "text", "text": "你好", "priority": "十"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "优先级" in page and "priority:" not in page
    assert 'value="坏规则"' in page and 'value="(a+)+"' in page  # what was typed stays
    assert not AutoReplyRule.objects.exists()


def test_an_empty_canned_answer_is_refused_and_a_good_one_is_inserted_into_the_draft(
    client, inbox_archive, staff
):
    client.force_login(staff)
    refused = client.post(RULES, {"action": "create_canned", "canned_title": "", "canned_text": ""})
    assert refused.status_code == 400 and not CannedAnswer.objects.exists()
    client.post(
        RULES, {"action": "create_canned", "canned_title": "开放", "canned_text": "周一至周五"}
    )
    canned = CannedAnswer.objects.get()
    consultation = services.consultation_ask(
        archive=inbox_archive, name="", email="p@example.org", question="几点开门？"
    ).consultation
    page = client.post(
        f"/console/inbox/{consultation.pk}/",
        {"action": "insert_canned", "canned": canned.pk, "text": "您好。"},
    ).content.decode()
    assert "您好。\n\n周一至周五</textarea>" in page


def test_a_refused_note_or_email_keeps_what_was_typed(client, inbox_archive, staff):
    consultation = services.consultation_ask(
        archive=inbox_archive, name="", email="p@example.org", question="?"
    ).consultation
    client.force_login(staff)
    url = f"/console/inbox/{consultation.pk}/"
    bad = client.post(url, {"action": "email", "email": "not an address"})
    assert bad.status_code == 400 and 'value="not an address"' in bad.content.decode()
    consultation.refresh_from_db()
    assert consultation.person_email == "p@example.org"


def test_only_the_archives_own_staff_can_be_assigned(client, inbox_archive, staff):
    outsider = UserFactory(username="outsider")
    consultation = services.consultation_ask(
        archive=inbox_archive, name="", email="p@example.org", question="?"
    ).consultation
    client.force_login(staff)
    url = f"/console/inbox/{consultation.pk}/"
    client.post(url, {"action": "assign", "assignee": staff.pk})
    refused = client.post(url, {"action": "assign", "assignee": outsider.pk})
    assert refused.status_code == 400
    consultation.refresh_from_db()
    assert consultation.assignee == staff  # not silently unassigned
