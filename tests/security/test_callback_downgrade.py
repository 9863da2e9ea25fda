"""Issue 17, item 1, over real HTTP: a genuine safe-mode callback URL, stripped of
``encrypt_type`` and ``msg_signature``, carried a forged plaintext message (any openid) for five
minutes, because the query signature covers only token, timestamp and nonce. An account set to
safe or compatible mode now takes only encrypted messages verified by ``msg_signature``;
plaintext is for accounts set to plaintext mode."""

from __future__ import annotations

import pytest

from archivox.consultations.models import InboundMessage
from archivox.core.models import PlatformAccount
from archivox.platforms.wechat.xml import build_xml
from archivox.sandbox.wechat_user import PreparedCallback, new_openid
from tests.security.wechat_probe import ACCOUNT_MODE, assert_refused, set_mode

pytestmark = pytest.mark.django_db(transaction=True)


def stripped(params: dict[str, str]) -> dict[str, str]:
    """A captured callback URL without what makes it an encrypted delivery."""
    return {k: v for k, v in params.items() if k not in {"encrypt_type", "msg_signature"}}


def test_a_safe_mode_url_stripped_of_its_encryption_cannot_carry_a_forged_plaintext(
    user_for, account, caplog
):
    set_mode(account, "safe")
    user = user_for("safe")
    genuine = user.prepare(user.message_xml("text", {"Content": "真的"}))
    victim = new_openid()
    forged = build_xml(
        {
            "ToUserName": account.original_id,
            "FromUserName": victim,
            "CreateTime": genuine.params["timestamp"],
            "MsgType": "text",
            "Content": "伪造的留言",
            "MsgId": "1234567890123456",
        }
    )

    response = user.post(PreparedCallback(stripped(genuine.params), forged.encode()))

    assert_refused(response, caplog, "safe mode")
    # The genuine delivery of that URL still goes through, as WeChat sent it.
    assert user.post(genuine).status_code == 200
    assert InboundMessage.objects.get().content == "真的"


def test_a_compatible_mode_url_stripped_of_its_encryption_cannot_smuggle_its_plaintext_copy(
    user_for, account, caplog
):
    set_mode(account, "compatible")
    user = user_for("compat")
    genuine = user.prepare(user.message_xml("text", {"Content": "真的"}))
    # Compatible mode's body carries the plaintext fields beside <Encrypt>: change the copy.
    copy = genuine.body.decode().replace("<Content>真的</Content>", "<Content>伪造的副本</Content>")
    assert "伪造的副本" in copy

    response = user.post(PreparedCallback(stripped(genuine.params), copy.encode()))

    assert_refused(response, caplog, "compatible mode")
    assert user.post(genuine).status_code == 200
    assert InboundMessage.objects.get().content == "真的"


@pytest.mark.parametrize("mode", ["safe", "compat"])
def test_encrypted_accounts_take_only_encrypted_messages_plaintext_accounts_take_both(
    user_for, account, caplog, mode
):
    set_mode(account, ACCOUNT_MODE[mode])
    plain = user_for("plain")
    refused = plain.post(plain.prepare(plain.message_xml("text", {"Content": "x"})))
    assert_refused(refused, caplog, "plaintext")
    assert user_for(mode).send_text("加密的").content

    set_mode(account, "plaintext")
    assert plain.send_text("明文").content
    assert user_for(mode).send_text("加密的也收").content
    assert sorted(InboundMessage.objects.values_list("transport", flat=True)) == sorted(
        [mode, mode, "plain"]
    )


def test_an_account_switched_to_plaintext_by_another_process_takes_plaintext_at_once(
    user_for, account
):
    """The mode is part of what a refused delivery is checked against afresh: an administrator
    who moves the account to plaintext mode (saved by another web process, which this one's
    account cache does not hear of) loses no message."""
    set_mode(account, "safe")
    assert user_for("safe").send_text("先加密").content  # the account is now cached here
    PlatformAccount.objects.filter(pk=account.pk).update(message_mode="plaintext")
    assert user_for("plain").send_text("改为明文").status == 200
    assert InboundMessage.objects.filter(transport="plain").count() == 1
