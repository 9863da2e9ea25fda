# Shared catalog fixtures, and the console's own (tests/console/fixtures.py).
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
from tests.console.fixtures import (  # noqa: F401
    administrator,
    archivist,
    image_object,
    outsider,
    reviewer,
    staff,
    suzhou,
    tree,
)
