"""Upgrading an installation (issue 17): each WeChat account gets the message mode its stored
deliveries show, so that an account WeChat sends plaintext to keeps receiving, and one that has
received encrypted messages stops taking plaintext."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from archivox.consultations.models import InboundMessage
from archivox.core.models import PlatformAccount
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "archivox.consultations.migrations.0004_wechat_message_mode_from_history"
)


def wechat_account(slug: str, *transports: str) -> PlatformAccount:
    """An account as an older release left it (safe, the new field's default), with one stored
    delivery per transport, oldest first."""
    archive = ArchiveFactory(slug=slug)
    account = PlatformAccount.objects.create(archive=archive, platform="wechat", appid=f"wx{slug}")
    start = timezone.now() - datetime.timedelta(days=1)
    for number, transport in enumerate(transports):
        InboundMessage.objects.create(
            archive=archive,
            account=account,
            channel="wechat",
            transport=transport,
            sender="o" + "x" * 27,
            msg_type="text",
            create_time=1_700_000_000 + number,
            received_at=start + datetime.timedelta(minutes=number),
            dedupe_key=f"msg:{number}",
        )
    return account


def test_each_wechat_account_gets_the_mode_its_deliveries_show():
    accounts = {
        "plaintext": wechat_account("plain", "plain", "plain"),
        "compatible": wechat_account("compat", "plain", "compat"),
        # Forged plaintext after genuine encrypted deliveries does not make it plaintext.
        "safe": wechat_account("safe", "compat", "safe", "plain"),
    }
    quiet = wechat_account("quiet")

    migration.message_mode_from_history(apps, None)

    for mode, account in accounts.items():
        account.refresh_from_db()
        assert account.message_mode == mode, account.archive.slug
    quiet.refresh_from_db()
    assert quiet.message_mode == "safe"
