"""A web process loads its views and the search dictionary at start, not on a first request."""

import sys

import jieba

from archivox.core.warmup import web_process_warm


def test_a_web_process_imports_every_view_and_the_search_dictionary_before_requests():
    seconds = web_process_warm()
    assert seconds >= 0
    assert jieba.dt.initialized
    # A view module only the survey's console pages import, with its charting library.
    assert "archivox.survey.views" in sys.modules
    assert "matplotlib" in sys.modules
