"""The main journeys of the portal and the console (issue 9), walked in Chromium on the demo
archives: a member of the public on a 360 px phone finds 白崇禧, books a visit, asks about the
item and answers a poll; an archivist composes a post from the item, a reviewer approves it and
it shows on the portal and in the Atom feed; staff answer the question and the person's private
page shows the answer. Every page: no console error, no failed request, nothing from another host;
public pages fit 360 px.

The data come from the demo commands of `make run` (the paper's archives, the demo catalog,
engagement and voices, the demo staff; `sandbox_provision` for the post's WeChat and Weibo
accounts, with WECHAT_API/WEIBO_API on this live server's sandboxes), not from factories."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from defusedxml import ElementTree
from django.core import mail
from django.core.management import call_command
from PIL import Image

from archivox.catalog.models import Description
from archivox.consultations.models import Consultation
from archivox.core.demo import demo_staff_ensure
from archivox.polls.models import Questionnaire
from archivox.publishing.models import CHANNELS, Delivery, Post
from archivox.reservations.models import Booking
from archivox.sandbox.wechat.models import Publish
from archivox.sandbox.weibo.models import WeiboStatus
from tests.browser.conftest import PageWatch, screenshot, search_picker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ATOM = "{http://www.w3.org/2005/Atom}"
QUESTION = "请问这件档案的原件可以到馆查阅吗？能否复印？"
ANSWER = "可以。原件已数字化，请预约后到查档阅览室查阅数字化副本；复印按本馆规定办理。"
POST_TITLE = "南京名片：白崇禧公馆"


@pytest.fixture
def demo(settings, live_server, tmp_path):
    """The demo of `make run`: archives, catalog, engagement, voices and staff accounts."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Links the site writes out (the private page of a question) point at this live server.
    settings.BASE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    for command in (
        "load_paper_survey",
        "load_demo_catalog",
        "load_demo_engagement",
        "load_demo_voices",
    ):
        call_command(command, verbosity=0)
    return {account.username: account.password for account in demo_staff_ensure()}


@pytest.fixture
def desk(chromium, live_server):
    """A browser at an office desk, for the console; a fresh context logs in one staff member."""
    contexts = []

    def open_as(username: str, password: str):
        context = chromium.new_context(
            viewport={"width": 1280, "height": 900},
            locale="zh-CN",
            extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
        )
        contexts.append(context)
        page = context.new_page()
        page.watch = PageWatch(page, live_server.url)
        page.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        _arrive(page, f"{live_server.url}/console/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 500), (150, 110, 80)).save(out, "JPEG")
    return out.getvalue()


def _arrive(page, url_pattern: str = "**") -> None:
    """Wait for the page and its late requests (the favicon), so that leaving it quickly does not
    abort them and count as failed requests."""
    page.wait_for_url(url_pattern)
    page.wait_for_load_state("networkidle")


def _public_page_ok(page, name: str) -> None:
    """A public page fits the 360 px phone, has done nothing wrong so far, and is kept as a
    screenshot."""
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360, f"{name} is {width}px wide, wider than a 360px phone"
    screenshot(page, f"journey-{name}")
    page.watch.assert_clean()


def _console_page_ok(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, f"journey-{name}")
    page.watch.assert_clean()


def _public_journey(phone, live_server) -> tuple[str, str]:
    """Journey 1 on the phone; gives back the question's private page and the item's path."""
    base = live_server.url

    # Search 白崇禧 from the portal's home page and open the item.
    phone.goto(f"{base}/")
    _public_page_ok(phone, "1-home")
    phone.fill("#site-q", "白崇禧")
    phone.click("header form.search button")
    _arrive(phone, "**/search/**")
    hit = phone.locator("ol.results li a").filter(has_text=re.compile(r"^\s*白崇禧公馆\s*$"))
    assert hit.count() == 1
    _public_page_ok(phone, "1-search")
    hit.click()
    _arrive(phone, "**/catalog/**")
    assert "白崇禧公馆" in phone.locator("h1").first.inner_text()
    item_path = urlsplit(phone.url).path
    _public_page_ok(phone, "1-item")

    # "Book a visit to see it": the reading room, the first free slot, a place booked.
    phone.click("nav.actions a[href*='/reservations/?item=']")
    _arrive(phone, "**/reservations/**")
    _public_page_ok(phone, "1-reservations")
    # The item chosen is named, and carried to the booking (issue 21).
    assert "白崇禧公馆" in phone.locator("p.item-to-see").inner_text()
    phone.click("ul.resources a[href*='/reservations/reading-room/?item=']")
    _arrive(phone, "**/reservations/reading-room/?item=*")
    _public_page_ok(phone, "1-reading-room")
    phone.locator("section.day a.slot").first.click()
    _arrive(phone, "**/book/**")
    phone.fill("#name", "李华")
    phone.fill("#contact", "lihua@example.com")
    phone.click("form.booking button.primary")
    phone.wait_for_selector("#confirmation-code")
    code = phone.locator("#confirmation-code").inner_text().strip()
    booking = Booking.objects.get()
    assert code == booking.code_display
    assert (booking.name, booking.contact) == ("李华", "lihua@example.com")
    assert "白崇禧公馆" in phone.locator("p.item-to-see").inner_text()
    _public_page_ok(phone, "1-booked")

    # Back to the item: "Ask about this item"; the question starts with the item's reference.
    phone.goto(f"{base}{item_path}")
    phone.wait_for_load_state("networkidle")
    phone.click("nav.actions a[href*='/ask/?item=']")
    _arrive(phone, "**/ask/**")
    started = phone.input_value("#ask-question")
    assert "白崇禧公馆" in started
    phone.fill("#ask-name", "李华")
    phone.fill("#ask-email", "lihua@example.com")
    phone.fill("#ask-question", started + QUESTION)
    _public_page_ok(phone, "1-ask")
    phone.click("form.ask button[type=submit]")
    phone.wait_for_selector("blockquote.question")
    assert QUESTION in phone.locator("blockquote.question").inner_text()
    private = phone.locator("main a[href*='/ask/']").last.get_attribute("href")
    assert private.startswith(f"{base}/archives/nanjing/ask/")
    consultation = Consultation.objects.get()
    assert consultation.person_email == "lihua@example.com"
    _public_page_ok(phone, "1-asked")

    # The readers' questionnaire: one answer per question, then the results.
    questionnaire = Questionnaire.objects.get(archive__slug="nanjing", slug="readers-interests")
    phone.goto(f"{base}/archives/nanjing/polls/")
    phone.wait_for_load_state("networkidle")
    phone.click(f"main a[href$='/polls/{questionnaire.slug}/']")
    _arrive(phone, f"**/polls/{questionnaire.slug}/")
    for fieldset in phone.locator("form.questionnaire fieldset.question").all():
        choices = fieldset.locator("input[type=radio], input[type=checkbox]")
        if choices.count():
            choices.first.check()
        else:
            fieldset.locator("textarea").fill("多发民国建筑的老照片")
    _public_page_ok(phone, "1-poll")
    phone.click("form.questionnaire button[type=submit]")
    _arrive(phone, "**/results/")
    assert phone.locator("ul.messages li.success").count() == 1
    assert questionnaire.responses.count() == 1
    _public_page_ok(phone, "1-poll-results")
    return private, item_path


def test_a_visitor_on_a_phone_books_asks_and_votes_and_staff_answer_in_the_inbox(
    phone, desk, live_server, demo
):
    private, _item_path = _public_journey(phone, live_server)

    # Journey 3: staff answer the question in the inbox.
    staff = desk("demo", demo["demo"])
    staff.click("a[href='/console/inbox/']")
    _arrive(staff, "**/console/inbox/")
    consultation = Consultation.objects.get()
    _console_page_ok(staff, "3-inbox")
    staff.locator(f"a[href='/console/inbox/{consultation.pk}/']").first.click()
    _arrive(staff, f"**/console/inbox/{consultation.pk}/")
    assert QUESTION in staff.locator("ol.thread").inner_text()
    staff.fill("textarea[name=text]", ANSWER)
    staff.click("button[name=action][value=answer]")
    _arrive(staff, f"**/console/inbox/{consultation.pk}/")
    assert staff.locator("ul.messages li.success").count() == 1
    assert ANSWER in staff.locator("ol.thread li.answer").inner_text()
    _console_page_ok(staff, "3-answered")
    consultation.refresh_from_db()
    assert consultation.first_response_at is not None
    assert any(ANSWER in message.body for message in mail.outbox)

    # The person's private page shows the answer.
    phone.goto(private)
    answer = phone.locator("ol.thread li.answer")
    assert answer.count() == 1 and ANSWER in answer.inner_text()
    assert phone.locator("form.feedback").count() == 1
    _public_page_ok(phone, "3-private-page")


def test_an_archivist_composes_a_post_from_the_item_a_reviewer_approves_it_and_it_is_published(
    phone, desk, live_server, demo, settings
):
    base = live_server.url
    settings.WECHAT_API = f"{base}/sandbox/wechat"
    settings.WEIBO_API = f"{base}/sandbox/weibo"
    call_command("sandbox_provision", "nanjing", verbosity=0)
    archivist = desk("demo", demo["demo"])

    # The publishing desk: a new post, the item found by 白崇禧 and chosen.
    archivist.goto(f"{base}/console/publishing/?archive=nanjing")
    archivist.wait_for_load_state("networkidle")
    _console_page_ok(archivist, "2-desk")
    archivist.click("a[href='/console/publishing/archives/nanjing/new/']")
    _arrive(archivist, "**/archives/nanjing/new/")
    # The picker searches without leaving the page (issue 21).
    search_picker(archivist, "白崇禧")
    item = Description.objects.get(archive__slug="nanjing", title="白崇禧公馆")
    row = archivist.locator("table.candidates tbody tr").filter(
        has=archivist.get_by_text(f"{item.reference_code} 白崇禧公馆", exact=True)
    )
    assert row.count() == 1
    row.locator("input[name^=quote_]").check()
    row.locator("input[name=item]").check()  # the row moves to the chosen items
    assert archivist.locator("table.chosen input[name=item]:checked").count() == 1
    archivist.fill("#title", POST_TITLE)
    archivist.fill("#author", "南京市档案馆")
    archivist.fill("#digest", "雍园1号的民国花园住宅，馆藏照片与档案。")
    # The body in the rich-text editor.
    archivist.click(".ql-editor")
    archivist.keyboard.type("白崇禧公馆位于秦淮区大悲巷雍园1号，是一处保存完好的民国建筑。")
    # Every channel: WeChat and Weibo are the sandboxes (as `make run` with ARCHIVOX_SANDBOX=1).
    for channel in CHANNELS:
        archivist.locator(f"input[name=channels][value={channel}]").check()
    archivist.set_input_files(
        "#cover", files=[{"name": "cover.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    _console_page_ok(archivist, "2-compose")
    archivist.click("form.compose > button[type=submit]")
    _arrive(archivist, "**/console/publishing/posts/*/")
    post = Post.objects.get(title=POST_TITLE)
    assert sorted(post.channels) == sorted(CHANNELS)
    assert post.cover
    assert [i.description.title for i in post.post_items.all()] == ["白崇禧公馆"]
    archivist.click(f"form[action='/console/publishing/posts/{post.pk}/submit/'] button")
    _arrive(archivist, f"**/console/publishing/posts/{post.pk}/")
    post.refresh_from_db()
    assert post.status == Post.Status.SUBMITTED
    _console_page_ok(archivist, "2-submitted")

    # Another person, the reviewer, approves it.
    reviewer = desk("demo-reviewer", demo["demo-reviewer"])
    reviewer.goto(f"{base}/console/publishing/?archive=nanjing")
    reviewer.wait_for_load_state("networkidle")
    reviewer.click(f"main a[href='/console/publishing/posts/{post.pk}/']")
    _arrive(reviewer, f"**/console/publishing/posts/{post.pk}/")
    approve = reviewer.locator(f"form[action='/console/publishing/posts/{post.pk}/approve/']")
    approve.locator("input[name=comment]").fill("内容核实无误，同意发布。")
    approve.locator("button").click()
    _arrive(reviewer, f"**/console/publishing/posts/{post.pk}/")
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED
    _console_page_ok(reviewer, "2-approved")

    # The archivist publishes it now.
    archivist.reload()
    archivist.wait_for_load_state("networkidle")
    archivist.click(f"form[action='/console/publishing/posts/{post.pk}/publish/'] button")
    _arrive(archivist, f"**/console/publishing/posts/{post.pk}/")
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    deliveries = {d.channel: d.status for d in Delivery.objects.filter(post=post)}
    assert deliveries == dict.fromkeys(CHANNELS, Delivery.Status.SENT)
    assert Publish.objects.count() == 1  # on the WeChat sandbox
    assert WeiboStatus.objects.count() == 1  # on the Weibo sandbox
    _console_page_ok(archivist, "2-published")

    # On the portal's posts page, on a phone, and in the archive's Atom feed.
    phone.goto(f"{base}/archives/nanjing/posts/")
    link = phone.locator(f"main a[href='/archives/nanjing/posts/{post.pk}/']").first
    assert POST_TITLE in phone.locator("main").inner_text()
    _public_page_ok(phone, "2-posts")
    link.click()
    _arrive(phone, f"**/archives/nanjing/posts/{post.pk}/")
    assert POST_TITLE in phone.locator("h1").first.inner_text()
    assert "雍园1号" in phone.locator("main").inner_text()
    _public_page_ok(phone, "2-post")

    feed = phone.request.get(f"{base}/feeds/nanjing/atom.xml")
    assert feed.ok
    titles = [
        entry.findtext(f"{ATOM}title")
        for entry in ElementTree.fromstring(feed.body()).iter(f"{ATOM}entry")
    ]
    assert POST_TITLE in titles
