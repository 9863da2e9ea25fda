import pytest
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True)
def huey_immediate():
    """Tasks run for real, in the test's process and transaction (Huey's immediate mode)."""
    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous
