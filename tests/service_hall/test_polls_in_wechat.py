"""Polls take the known follower (issue 20): a poll opened in WeChat's browser goes through the
same silent snsapi_base authorisation as reservations (against the WeChat sandbox, the code
exchanged over real HTTP), so one follower answers once, whichever phone or browser they use.
Outside WeChat the poll works by its browser cookie, as before."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import translation

from archivox.polls.identity import follower_person_id
from archivox.polls.models import Response
from tests.polls.conftest import answers_for, archivist, survey  # noqa: F401
from tests.service_hall.test_known_followers import OPENID, account  # noqa: F401
from tests.service_hall.test_share_cards import PHONE_UA, WECHAT_UA

pytestmark = pytest.mark.django_db(transaction=True)


def form_data(survey) -> dict:  # noqa: F811
    return {f"q{key}": value for key, value in answers_for(survey).items()}


def in_wechat(openid: str) -> Client:
    """A phone's WeChat browser of follower ``openid`` (the sandbox's authorise page reads it
    from its cookie), with no cookie of ours yet."""
    client = Client(HTTP_USER_AGENT=WECHAT_UA)
    client.cookies["sandbox_wechat_openid"] = openid
    return client


def test_a_follower_answers_a_poll_once_across_devices(account, survey):  # noqa: F811
    url = f"/archives/nanjing/polls/{survey.slug}/"
    phone = in_wechat(OPENID)
    page = phone.get(url, follow=True)
    assert page.status_code == 200
    hops = [hop for hop, _status in page.redirect_chain]
    assert "/sandbox/wechat/connect/oauth2/authorize?" in hops[0]
    assert parse_qs(urlsplit(hops[0]).query)["scope"] == ["snsapi_base"]
    final = urlsplit(hops[-1])
    assert final.path == url
    token = parse_qs(final.query)["t"][0]
    html = page.content.decode()
    assert f'name="t" value="{token}"' in html and OPENID not in html
    answered = phone.post(url, {**form_data(survey), "t": token})
    assert answered.status_code == 302
    stored = Response.objects.get()
    assert (stored.channel, stored.person_id) == ("wechat", follower_person_id(OPENID))

    # The same follower on another phone (no cookie of ours) is authorised again and known.
    tablet = in_wechat(OPENID)
    with translation.override("en"):
        again = tablet.get(url, follow=True)
        token_there = parse_qs(urlsplit(again.redirect_chain[-1][0]).query)["t"][0]
        assert "already answered" in again.content.decode()
        refused = tablet.post(url, {**form_data(survey), "t": token_there}, follow=True)
        assert "already answered" in refused.content.decode()
    assert Response.objects.count() == 1

    # Another follower is another person.
    other = in_wechat("oAnotherFollower000000000002")
    other_page = other.get(url, follow=True)
    other_token = parse_qs(urlsplit(other_page.redirect_chain[-1][0]).query)["t"][0]
    assert other.post(url, {**form_data(survey), "t": other_token}).status_code == 302
    assert Response.objects.filter(channel="wechat").count() == 2


def test_outside_wechat_a_poll_is_answered_without_authorisation(account, survey):  # noqa: F811
    url = f"/archives/nanjing/polls/{survey.slug}/"
    browser = Client(HTTP_USER_AGENT=PHONE_UA)
    page = browser.get(url)
    assert page.status_code == 200 and "t=" not in page.get("Location", "")
    assert browser.post(url, form_data(survey)).status_code == 302
    assert Response.objects.get().channel == "web"
