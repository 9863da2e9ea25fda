# Shared catalog fixtures (one definition for the catalog and portal tests).
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
