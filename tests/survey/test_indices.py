"""The published communication indices and the paper's follower bands."""

import pytest

from archivox.survey import indicators as ind


def test_wci_reproduces_its_published_example():
    # R=10000, R/n=100, Rmax=300, Z=4000, Z/n=40, Zmax=60 → 411.4875 (published).
    value = ind.wci_from_averages(
        reads=10_000,
        reads_per_post=100,
        reads_max=300,
        likes=4_000,
        likes_per_post=40,
        likes_max=60,
    )
    assert round(value, 4) == 411.4875


def test_wci_from_totals_is_the_same_index():
    # 100 articles, 10,000 reads and 4,000 likes in all: the published example again.
    value = ind.wci(posts=100, reads=10_000, reads_max=300, likes=4_000, likes_max=60)
    assert round(value, 4) == 411.4875
    assert ind.wci(posts=0, reads=0, reads_max=0, likes=0, likes_max=0) is None


def test_bci_on_a_hand_computed_case():
    # posts 10, reposts 20, comments 5, likes 100:
    #   0.2·ln 11 = 0.479579
    #   0.4·ln 21 = 1.217809, 0.4·ln 6 = 0.716704, 0.2·ln 101 = 0.923024 → 2.857537 × 0.8
    #   = 2.286030; (0.479579 + 2.286030) × 160 = 442.4974
    assert ind.bci(posts=10, reposts=20, comments=5, likes=100) == pytest.approx(442.4974, abs=1e-4)
    assert ind.bci(posts=0, reposts=0, comments=0, likes=0) == 0


@pytest.mark.parametrize(
    ("followers", "band"),
    [
        (0, "few"),
        (9, "few"),
        (10, "hundreds"),
        (999, "hundreds"),
        (1_000, "thousands"),
        (9_999, "thousands"),
        (10_000, "ten_thousands"),
        (20_000, "ten_thousands"),
        (None, ""),
    ],
)
def test_followers_fall_in_the_papers_bands(followers, band):
    assert ind.followers_band(followers) == band
