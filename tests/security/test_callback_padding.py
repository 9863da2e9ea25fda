"""Issue 17, item 3, over real HTTP: a ciphertext whose padding is not PKCS#7 (the probe sent a
last byte of 32 after 31 zero bytes, which wechatpy's unpadding accepts) is refused with 400 and
one log line; correctly padded ciphertexts made the same way still go through."""

from __future__ import annotations

import base64
import os
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from archivox.consultations.models import InboundMessage
from archivox.platforms.wechat.crypto import aes_key
from archivox.sandbox.wechat_user import WeChatUser
from tests.security.wechat_probe import assert_refused

pytestmark = pytest.mark.django_db(transaction=True)


def encrypt_with_padding(user: WeChatUser, plaintext: str, padding: bytes) -> str:
    """WeChat's framing (16 random bytes, the length, the XML, the AppID) ending in ``padding``,
    encrypted with AES-256-CBC as WeChat does. Whitespace after ``</xml>`` makes the framing
    line up so that ``padding`` completes the last 32-byte block."""
    xml = plaintext.encode()
    while (20 + len(xml) + len(user.appid) + len(padding)) % 32:
        xml += b" "
    framed = os.urandom(16) + struct.pack(">I", len(xml)) + xml + user.appid.encode() + padding
    key = aes_key(user.encoding_aes_key)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(framed) + encryptor.finalize()).decode()


PADDINGS = {
    "31 zero bytes then 32 (the probe's)": b"\0" * 31 + bytes([32]),
    "counting up to 32": bytes(range(1, 33)),
    "one wrong byte among five": bytes([5, 5, 4, 5, 5]),
}


@pytest.mark.parametrize("case", list(PADDINGS), ids=list(PADDINGS))
def test_a_ciphertext_whose_padding_is_not_pkcs7_is_refused_with_400(
    user_for, account, caplog, case
):
    user = user_for("safe")
    plaintext = user.message_xml("text", {"Content": "填充"})
    ciphertext = encrypt_with_padding(user, plaintext, PADDINGS[case])
    response = user.post(user.prepare(plaintext, encrypted=ciphertext))
    assert_refused(response, caplog, "padding")


@pytest.mark.parametrize("count", [1, 5, 32])
def test_a_ciphertext_with_correct_padding_made_the_same_way_is_accepted(user_for, account, count):
    user = user_for("safe")
    plaintext = user.message_xml("text", {"Content": "正确的填充"})
    ciphertext = encrypt_with_padding(user, plaintext, bytes([count]) * count)
    assert user.post(user.prepare(plaintext, encrypted=ciphertext)).status_code == 200
    assert InboundMessage.objects.get().content == "正确的填充"
