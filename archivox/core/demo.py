"""Demo staff accounts for `make run`: one per role, with a password kept in var/."""

from __future__ import annotations

import dataclasses
import secrets

from django.conf import settings
from django.db import transaction

from archivox.core.models import Archive, Role, User
from archivox.core.services import membership_grant, staff_user_create


@dataclasses.dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    description: str


DEMO_STAFF = (
    (
        "demo",
        [Role.ADMINISTRATOR, Role.ARCHIVIST],
        "administrator and archivist of every demo archive",
    ),
    ("demo-reviewer", [Role.REVIEWER], "reviewer of every demo archive"),
)


def _demo_password() -> str:
    """One generated password for the demo accounts, kept so it can be printed on every run."""
    path = settings.VAR_DIR / "demo_password"
    if not path.exists():
        path.write_text(f"archivox-{secrets.token_urlsafe(9)}")
        path.chmod(0o600)
    return path.read_text().strip()


@transaction.atomic
def demo_staff_ensure() -> list[DemoAccount]:
    password = _demo_password()
    archives = list(Archive.objects.filter(is_demo=True))
    accounts = []
    for username, roles, description in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = staff_user_create(
                actor=None, username=username, password=password, display_name=username
            )
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        for archive in archives:
            for role in roles:
                membership_grant(actor=None, archive=archive, user=user, role=role)
        accounts.append(DemoAccount(username, password, description))
    return accounts
