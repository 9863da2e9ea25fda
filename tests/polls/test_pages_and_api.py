"""The public pages and the API: one response per browser (signed cookie) or per WeChat
follower (signed link), results, staff management, exports and the audit trail."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from archivox.core.models import AuditEntry
from archivox.polls import selectors, services
from archivox.polls.identity import (
    COOKIE_NAME,
    IdentityError,
    Person,
    follower_person_id,
    person_from_token,
    person_token_for,
)
from archivox.polls.models import Questionnaire, Response
from archivox.polls.selectors import poll_link_for_follower
from tests.factories import ArchiveFactory, UserFactory
from tests.helpers import room_in_window
from tests.polls.conftest import answers_for

pytestmark = pytest.mark.django_db


def form_data(survey, **kwargs) -> dict:
    return {f"q{key}": value for key, value in answers_for(survey, **kwargs).items()}


def detail_url(survey) -> str:
    return f"/archives/nanjing/polls/{survey.slug}/"


def test_a_browser_answers_once_and_the_second_time_is_told_it_already_did(client, survey):
    page = client.get(detail_url(survey))
    assert page.status_code == 200
    assert COOKIE_NAME in page.cookies
    answered = client.post(detail_url(survey), form_data(survey), follow=True)
    assert answered.redirect_chain[-1][0].endswith(f"{detail_url(survey)}results/")
    assert "Thank you! Your answers were recorded." in answered.content.decode()
    again = client.post(detail_url(survey), form_data(survey, single="网站"), follow=True)
    assert "You have already answered this questionnaire" in again.content.decode()
    assert Response.objects.count() == 1
    assert "already answered" in client.get(detail_url(survey)).content.decode()


def test_another_browser_may_answer(client, survey):
    client.post(detail_url(survey), form_data(survey))
    other = client.__class__()
    other.post(detail_url(survey), form_data(survey))
    assert Response.objects.filter(channel="web").count() == 2


def test_a_wechat_follower_answers_through_the_signed_link_once(client, survey, nanjing):
    link = poll_link_for_follower(poll=survey, openid="o-follower-1")
    assert link.startswith(f"{settings.BASE_URL}/archives/nanjing/polls/interests/?t=")
    path_and_query = link[len(settings.BASE_URL) :]
    token = parse_qs(urlsplit(link).query)["t"][0]
    page = client.get(path_and_query)
    assert f'name="t" value="{token}"' in page.content.decode()
    client.post(detail_url(survey), {**form_data(survey), "t": token})
    stored = Response.objects.get()
    # Held by a keyed digest of the openid, never the openid itself.
    assert (stored.channel, stored.person_id) == ("wechat", follower_person_id("o-follower-1"))
    assert "o-follower-1" not in stored.person_id
    # The same follower from a fresh browser (no cookie) is still recognised by the link.
    fresh = client.__class__()
    again = fresh.post(detail_url(survey), {**form_data(survey), "t": token}, follow=True)
    assert "already answered" in again.content.decode()
    assert Response.objects.count() == 1
    assert selectors.people_with_label(archive=nanjing, label="民国建筑") == [
        ("wechat", "o-follower-1")
    ]


def test_a_forged_or_foreign_link_is_refused_with_a_clear_message(client, survey, nanjing):
    token = person_token_for(archive=nanjing, openid="o-1")
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    page = client.post(detail_url(survey), {**form_data(survey), "t": forged})
    assert page.status_code == 403
    assert "This link is not valid" in page.content.decode()
    elsewhere = ArchiveFactory(slug="suzhou")
    foreign = person_token_for(archive=elsewhere, openid="o-1")
    page = client.get(detail_url(survey), {"t": foreign})
    assert "another archive" in page.content.decode()
    assert Response.objects.count() == 0


def test_an_expired_link_says_how_to_get_a_new_one(nanjing):
    token = person_token_for(archive=nanjing, openid="o-1")
    with pytest.raises(IdentityError, match="expired"):
        person_from_token(archive=nanjing, token=token, max_age=-1)


def test_a_refused_form_keeps_what_the_person_ticked_and_stores_nothing(client, survey):
    data = form_data(survey, rating=9, text="我的建议")
    page = client.post(detail_url(survey), data)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Give a rating from 1 to 5" in html
    assert "我的建议</textarea>" in html
    chosen = data[f"q{survey.q['single'].pk}"]
    assert f'value="{chosen}" checked' in html
    assert Response.objects.count() == 0


def test_results_page_and_live_fragment_show_the_counts(client, survey):
    client.post(detail_url(survey), form_data(survey, topics=("园林",)))
    page = client.get(f"{detail_url(survey)}results/").content.decode()
    assert "polls/live.js" in page
    fragment = client.get(f"{detail_url(survey)}results/", {"fragment": "1"}).content.decode()
    assert "<html" not in fragment
    assert "园林" in fragment and "1 · 100.0%" in fragment


def test_hidden_results_are_not_published(client, survey, archivist):
    services.questionnaire_update(actor=archivist, questionnaire=survey, results_public=False)
    page = client.get(f"{detail_url(survey)}results/").content.decode()
    assert "not published" in page
    api = client.get(f"/api/v1/engagement/polls/nanjing/{survey.slug}/results")
    assert api.status_code == 403


def test_a_draft_questionnaire_is_not_public(client, nanjing, archivist):
    draft = services.questionnaire_create(actor=archivist, archive=nanjing, title="草稿")
    assert client.get(f"/archives/nanjing/polls/{draft.slug}/").status_code == 404
    assert client.get("/api/v1/engagement/polls/nanjing/").json() == []


def test_the_api_takes_one_response_per_person(client, survey, nanjing):
    url = f"/api/v1/engagement/polls/nanjing/{survey.slug}/responses"
    token = person_token_for(archive=nanjing, openid="o-api")
    body = {"token": token, "answers": answers_for(survey, topics=("家谱寻根",))}
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json()["labels_added"] == ["族谱"]
    second = client.post(url, body, content_type="application/json")
    assert second.status_code == 409
    assert "already answered" in second.json()["detail"]
    bad = client.post(
        url,
        {"answers": answers_for(survey, rating=0)},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert f"q{survey.q['rating'].pk}" in bad.json()["detail"]
    detail = client.get(f"/api/v1/engagement/polls/nanjing/{survey.slug}").json()
    assert [q["kind"] for q in detail["questions"]] == ["single", "multiple", "rating", "text"]
    results = client.get(f"/api/v1/engagement/polls/nanjing/{survey.slug}/results").json()
    assert results["responses"] == 1


def test_the_public_api_is_rate_limited(client, survey, settings):
    settings.POLLS_SUBMIT_RATE = (2, 60)
    room_in_window(60)
    url = f"/api/v1/engagement/polls/nanjing/{survey.slug}/responses"
    codes = [
        client.__class__()
        .post(url, {"answers": answers_for(survey)}, content_type="application/json")
        .status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]


def test_staff_build_open_and_export_a_questionnaire_through_the_api(client, nanjing, archivist):
    client.force_login(archivist)
    created = client.post(
        "/api/v1/engagement/polls/staff/nanjing/questionnaires",
        {"title": "园林调查", "slug": "gardens"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    question = client.post(
        f"/api/v1/engagement/polls/staff/questionnaires/{pk}/questions",
        {
            "kind": "single",
            "text": "最喜欢的园林？",
            "options": [{"text": "瞻园", "labels": ["园林"]}, {"text": "煦园", "labels": []}],
        },
        content_type="application/json",
    ).json()
    opened = client.post(f"/api/v1/engagement/polls/staff/questionnaires/{pk}/open")
    assert opened.json()["status"] == "open"
    public = client.__class__()
    public.post(
        "/api/v1/engagement/polls/nanjing/gardens/responses",
        {"answers": {str(question["id"]): question["options"][0]["id"]}},
        content_type="application/json",
    )
    people = client.get("/api/v1/engagement/polls/staff/nanjing/labels/园林/people").json()
    assert [p["channel"] for p in people] == ["web"]
    exported = client.get(f"/api/v1/engagement/polls/staff/questionnaires/{pk}/export.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "最喜欢的园林？" and rows[1][-1] == "瞻园"
    actions = set(AuditEntry.objects.filter(archive=nanjing).values_list("action", flat=True))
    assert {"questionnaire.create", "question.add", "questionnaire.update"} <= actions
    assert "interest_label.create" in actions


def test_staff_without_a_role_in_the_archive_are_refused(client, survey):
    stranger = UserFactory(username="stranger")
    client.force_login(stranger)
    assert client.get(f"/api/v1/engagement/polls/staff/questionnaires/{survey.pk}").status_code in (
        403,
    )
    assert client.get(f"/console/polls/{survey.pk}/").status_code == 403
    assert client.get(f"/console/polls/{survey.pk}/export.csv").status_code == 403


def test_csv_and_xlsx_exports_hold_every_response_and_neutralise_formulas(
    client, survey, archivist
):
    client.post(detail_url(survey), form_data(survey, text='=HYPERLINK("http://x")'))
    client.__class__().post(
        detail_url(survey), form_data(survey, single="微博", topics=("民国建筑", "园林"), rating=5)
    )
    client.force_login(archivist)
    exported = client.get(f"/console/polls/{survey.pk}/export.csv")
    assert exported["Content-Disposition"].endswith('nanjing-interests-responses.csv"')
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][4:] == [q.text for q in survey.questions.all()]
    assert [row[4:7] for row in rows[1:]] == [
        ["微信公众号", "民国建筑", "4"],
        ["微博", "民国建筑; 园林", "5"],
    ]
    assert rows[1][7] == '\'=HYPERLINK("http://x")'
    assert all(row[3].startswith("web-") and len(row[3]) == 14 for row in rows[1:])

    book = load_workbook(io.BytesIO(client.get(f"/console/polls/{survey.pk}/export.xlsx").content))
    sheet = book["responses"]
    assert sheet.max_row == 3
    assert sheet.cell(row=3, column=6).value == "民国建筑; 园林"
    summary = {
        (row[0], row[1]): row[2] for row in book["summary"].iter_rows(min_row=2, values_only=True)
    }
    assert summary[("(responses)", "all")] == 2
    assert summary[(survey.q["multiple"].text, "民国建筑")] == 2
    assert summary[(survey.q["rating"].text, "average")] == 4.5


def test_console_shows_free_text_escaped(client, survey, archivist):
    client.post(detail_url(survey), form_data(survey, text="<script>alert(1)</script>"))
    client.force_login(archivist)
    html = client.get(f"/console/polls/{survey.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_console_creates_a_questionnaire_with_labelled_options(client, nanjing, archivist):
    client.force_login(archivist)
    created = client.post(
        "/console/polls/", {"archive": "nanjing", "title": "寻根", "slug": "roots"}
    )
    pk = int(created["Location"].rstrip("/").split("/")[-1])
    client.post(
        f"/console/polls/{pk}/",
        {
            "action": "add_question",
            "kind": "single",
            "text": "您在寻找家谱吗？",
            "required": "1",
            "options": "是的 | 族谱, 家族史\n没有",
        },
    )
    client.post(f"/console/polls/{pk}/", {"action": "open"})
    questionnaire = selectors.questionnaire_get_for_staff(user=archivist, pk=pk)
    assert questionnaire.is_open
    option = questionnaire.questions.get().options.get(text="是的")
    assert sorted(label.name for label in option.labels.all()) == ["家族史", "族谱"]
    page = client.get("/console/polls/").content.decode()
    assert "寻根" in page and "族谱" in page
    refused = client.post(
        f"/console/polls/{pk}/",
        {"action": "add_question", "kind": "single", "text": "?", "options": "只有一个"},
        follow=True,
    )
    assert "at least two options" in refused.content.decode()


def test_questions_cannot_change_once_people_answered(survey, archivist):
    services.response_submit(
        questionnaire=survey, person=Person("web", "x"), answers=answers_for(survey)
    )
    with pytest.raises(ValidationError, match="already answered"):
        services.question_add(actor=archivist, questionnaire=survey, kind="text", text="再问一个")


def test_openapi_lists_the_poll_endpoints(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    assert "/api/v1/engagement/polls/{archive}/{poll}/responses" in schema["paths"]


def test_console_refuses_a_bad_time_and_an_archive_not_managed(client, survey, archivist):
    client.force_login(archivist)
    url = f"/console/polls/{survey.pk}/"
    title = survey.title
    bad = client.post(
        url,
        {"action": "settings", "title": "新标题", "opens_at": "tomorrow", "results_public": "1"},
        follow=True,
    )
    assert "“tomorrow” is not a date and time." in bad.content.decode()
    survey.refresh_from_db()
    assert survey.title == title
    ok = client.post(
        url, {"action": "settings", "title": " 新标题 ", "opens_at": "2099-01-01T09:00"}
    )
    assert ok.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "新标题" and survey.opens_at.year == 2099
    assert survey.results_public is False
    elsewhere = client.post(
        "/console/polls/", {"archive": "elsewhere", "title": "外馆问卷"}, follow=True
    )
    assert "Choose one of your archives." in elsewhere.content.decode()
    assert not Questionnaire.objects.filter(title="外馆问卷").exists()
    gone = client.post(url, {"action": "remove_question", "question": "x"}, follow=True)
    assert "That question does not exist." in gone.content.decode()


def test_a_refused_new_questionnaire_keeps_what_was_typed(client, nanjing, archivist):
    client.force_login(archivist)
    client.post("/console/polls/", {"archive": "nanjing", "title": "寻根", "slug": "roots"})
    again = client.post(
        "/console/polls/",
        {"archive": "nanjing", "title": "寻根问卷二", "slug": "roots", "introduction": "请作答"},
    )
    assert again.status_code == 400
    page = again.content.decode()
    assert 'value="寻根问卷二"' in page and ">请作答</textarea>" in page
    blank_label = client.post("/console/polls/", {"archive": "nanjing", "action": "label"})
    assert blank_label.status_code == 400
