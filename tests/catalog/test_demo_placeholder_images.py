"""The demo's placeholder images say what they are in Chinese (the item's title, its reference
code, 演示占位图) with the machine's CJK font, and carry no text at all, never English, on a
machine without one."""

import io

import pytest
from PIL import Image

from archivox.catalog.demo import placeholder_jpeg
from archivox.core.cjk_font import cjk_font_file

COLOUR = (107, 29, 29)


@pytest.fixture
def fonts(settings):
    """Each test decides whether the machine has a CJK font (``ARCHIVOX_CJK_FONT``)."""

    def use(value: str):
        settings.ARCHIVOX_CJK_FONT = value
        cjk_font_file.cache_clear()
        return cjk_font_file()

    yield use
    cjk_font_file.cache_clear()


def _white_in(picture: bytes, box: tuple[int, int, int, int]) -> int:
    """Near-white pixels inside ``box``: the text's (the frame and pattern are outside it or
    coloured)."""
    image = Image.open(io.BytesIO(picture)).convert("L").crop(box)
    return sum(1 for value in image.getdata() if value > 200)


def _picture() -> bytes:
    return placeholder_jpeg(reference_code="MG-S1-F1-001", title="白崇禧公馆", colour=COLOUR)


def test_with_a_cjk_font_the_title_and_label_are_drawn_in_chinese(fonts):
    if fonts("") is None:
        pytest.skip("this machine has no CJK font (.ci/run installs fonts-noto-cjk)")
    picture = _picture()
    assert Image.open(io.BytesIO(picture)).size == (960, 640)
    assert _white_in(picture, (60, 130, 900, 220)) > 500  # the title's line
    assert _white_in(picture, (60, 530, 900, 600)) > 300  # 演示占位图
    # Another title is another picture: the text is the item's.
    other = placeholder_jpeg(reference_code="MG-S1-F1-001", title="中山陵", colour=COLOUR)
    assert other != picture


def test_without_a_cjk_font_there_is_no_text_rather_than_english(fonts):
    assert fonts("none") is None
    picture = _picture()
    assert _white_in(picture, (60, 130, 900, 220)) == 0
    assert _white_in(picture, (60, 530, 900, 600)) == 0
    # A font file that cannot draw Chinese is passed over, never used for Latin letters.
    assert fonts("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") != (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        0,
    )
