import pytest
from django.utils import translation
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True)
def huey_immediate():
    """Tasks run for real, in the test's process and transaction (Huey's immediate mode)."""
    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


@pytest.fixture(autouse=True)
def english_unless_marked_chinese(request, settings):
    """Tests read the English wording: messages raised outside a request and pages requested
    without an Accept-Language header are in English. A test about the Chinese default (the
    installation's real default) is marked ``@pytest.mark.chinese``."""
    if request.node.get_closest_marker("chinese"):
        yield
        return
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def reply_threads_closed_after_test():
    """The WeChat reply threads keep their database connections between replies, as requests
    do; a test closes them so that no connection outlives the test database's rows or itself."""
    yield
    from archivox.consultations.services import reply_pool_close

    reply_pool_close()
