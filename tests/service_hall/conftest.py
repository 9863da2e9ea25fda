"""The service hall's tests borrow the reservations' reading room (a slot tomorrow)."""

from tests.catalog_fixtures import media_root, nanjing  # noqa: F401
from tests.reservations.conftest import reading_room, slot, tomorrow  # noqa: F401
