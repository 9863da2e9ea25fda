"""The platform's documented limits as the client checks them (no network, no database)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from archivox.platforms.weibo import rules
from archivox.platforms.weibo.errors import WeiboValidationError
from archivox.sandbox.weibo.services import weibo_text_length

# Counts of Weibo's own composer, as recorded by WeCase's bug-for-bug compatible counter.
COMPOSER_SAMPLES = [
    ("我司CEO与我司吉祥物...好大一坨！", 16),
    (
        "【转基因食品在美国】1、FDA在管理上和普通食品同等对待；2、2012年，转基因玉米种植面积占所有"
        "玉米的88%，大豆是93%，棉花是94%；过去十年美国人吃了3万亿份转基因餐食。再说转基因是美国阴谋"
        "的，先查查EPA（美国环保局）、USDA(美国农业部）、FDA（美国食品和药品管理局）的网站吧。",
        132,
    ),
]


@pytest.mark.parametrize(("text", "length"), COMPOSER_SAMPLES)
def test_length_matches_the_platforms_composer(text, length):
    assert rules.text_length(text) == length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("档案", 2),
        ("ab", 1),
        ("abc", 2),  # half characters round up
        ("档" * 140, 140),
        ("a" * 280, 140),
        ("http://127.0.0.1:8000/descriptions/1", 10),  # a link is 10 whatever its length
        ("https://example.com/" + "x" * 100, 10),
        ("http://example.com/" + "x" * 141, 20),  # a link past 140 units counts its excess
        ("😀", 2),  # outside the BMP: two UTF-16 units, two characters
        ("看http://a.cn/x吧", 12),
    ],
)
def test_length_rules(text, length):
    assert rules.text_length(text) == length


@pytest.mark.parametrize(
    "text",
    [s for s, _ in COMPOSER_SAMPLES]
    + [
        "档案 http://127.0.0.1:8000/a?b=c#d 馆 https://x.org/😀 ok",
        "混合 Mixed 文本 with emoji 🏯🏯 and http://t.cn/Abc123 link",
        "a" * 301,
    ],
)
def test_the_sandbox_counts_exactly_as_the_client(text):
    assert weibo_text_length(text) == rules.text_length(text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("#南京# 城墙档案", True),
        ("＃南京＃ 城墙档案", True),
        ("#南京＃ 混合", True),
        ("编号 #3 的展品", False),
        ("# #", False),
        ("详见 http://127.0.0.1:8000/a#b 与 http://127.0.0.1:8000/c#d", False),
    ],
)
def test_topics_are_found_outside_links(text, topic):
    assert rules.has_topic(text) is topic


@pytest.mark.parametrize(
    ("url", "domain", "under"),
    [
        ("http://archives.example.cn/x", "archives.example.cn", True),
        ("https://www.archives.example.cn/x", "archives.example.cn", True),
        ("http://127.0.0.1:8000/x", "127.0.0.1", True),
        ("http://evilarchives.example.cn/x", "archives.example.cn", False),
        ("http://archives.example.cn.evil.com/x", "archives.example.cn", False),
        ("http://archives.example.cn@evil.com/x", "archives.example.cn", False),
    ],
)
def test_only_links_under_the_safe_domain_count(url, domain, under):
    if under:
        rules.check_share_text(f"看 {url}", safe_domain=domain)
    else:
        with pytest.raises(WeiboValidationError) as refused:
            rules.check_share_text(f"看 {url}", safe_domain=domain)
        assert refused.value.rule == "safe_domain_link"


def test_safe_domain_may_be_registered_as_a_url():
    assert rules.safe_domain_of("https://Archives.Example.cn:8443/") == "archives.example.cn"
    assert rules.safe_domain_of("127.0.0.1:8000") == "127.0.0.1"
    with pytest.raises(WeiboValidationError) as missing:
        rules.check_share_text("看 http://a.cn/", safe_domain="")
    assert missing.value.rule == "account"


def encoded(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 0)).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(("kind", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif")])
def test_pictures_are_judged_by_their_bytes(kind, extension):
    assert rules.check_pic(encoded(kind))[0] == extension


@pytest.mark.parametrize("kind", ["BMP", "WEBP", "TIFF"])
def test_other_image_formats_are_refused(kind):
    with pytest.raises(WeiboValidationError) as refused:
        rules.check_pic(encoded(kind))
    assert refused.value.rule == "image_type"


def test_a_picture_of_5_mb_is_refused_and_just_under_is_measured():
    with pytest.raises(WeiboValidationError) as refused:
        rules.check_pic(b"\xff\xd8\xff" + bytes(5 * 1024 * 1024 - 3))
    assert refused.value.rule == "image_too_large"


@pytest.mark.parametrize("rip", ["211.156.0.1", "2408:8207::1", "10.1.2.3"])
def test_real_ips_are_accepted(rip):
    assert rules.check_rip(rip) == rip


UNREAL_IPS = ["", "localhost", "0.0.0.0", "127.0.0.1", "::1", "224.0.0.1"]  # noqa: S104


@pytest.mark.parametrize("rip", UNREAL_IPS)
def test_no_real_ip_is_refused(rip):
    with pytest.raises(WeiboValidationError):
        rules.check_rip(rip)
