import json
from pathlib import Path

import pytest
from django.conf import settings

from archivox.platforms.wechat.crypto import CryptoError, MessageCrypto, signature
from archivox.platforms.wechat.xml import XmlError, build_xml, parse_xml

VECTOR_PATHS = [
    Path(settings.SHARED_DIR) / "data" / "wechat-crypto-vector.json",
    Path(settings.BASE_DIR) / "data" / "wechat-crypto-vector.json",
]


@pytest.fixture(scope="module")
def vector():
    for path in VECTOR_PATHS:
        if path.exists():
            return json.loads(path.read_text())
    pytest.fail("wechat-crypto-vector.json is missing")


def crypto_for(vector) -> MessageCrypto:
    return MessageCrypto(
        token=vector["token"], encoding_aes_key=vector["encoding_aes_key"], appid=vector["appid"]
    )


def test_decrypts_and_verifies_the_platforms_published_sample(vector):
    crypto = crypto_for(vector)
    body = build_xml({"ToUserName": vector["expected"]["to"], "Encrypt": vector["encrypt"]})
    plaintext = crypto.decrypt_message(
        body,
        msg_signature=vector["msg_signature"],
        timestamp=vector["timestamp"],
        nonce=vector["nonce"],
    )
    message = parse_xml(plaintext)
    expected = vector["expected"]
    assert message["ToUserName"] == expected["to"]
    assert message["FromUserName"] == expected["from"]
    assert int(message["CreateTime"]) == expected["create_time"]
    assert message["Content"] == expected["content"]
    assert message["MsgId"] == expected["msg_id"]


def test_the_sample_signature_is_sha1_of_the_sorted_parts(vector):
    assert (
        signature(vector["token"], vector["timestamp"], vector["nonce"], vector["encrypt"])
        == vector["msg_signature"]
    )


def test_round_trips_its_own_messages(vector):
    crypto = crypto_for(vector)
    plaintext = build_xml({"ToUserName": "gh_1", "Content": "白崇禧公馆 <&> ✓", "MsgType": "text"})
    envelope = parse_xml(crypto.encrypt_message(plaintext, timestamp="1700000000"))
    assert envelope["MsgSignature"] == signature(
        vector["token"], "1700000000", envelope["Nonce"], envelope["Encrypt"]
    )
    assert crypto.decrypt(envelope["Encrypt"]) == plaintext
    assert parse_xml(plaintext)["Content"] == "白崇禧公馆 <&> ✓"


def test_a_forged_signature_is_refused(vector):
    body = build_xml({"Encrypt": vector["encrypt"]})
    with pytest.raises(CryptoError, match="msg_signature"):
        crypto_for(vector).decrypt_message(
            body, msg_signature="0" * 40, timestamp=vector["timestamp"], nonce=vector["nonce"]
        )


def test_a_message_for_another_appid_is_refused(vector):
    other = MessageCrypto(
        token=vector["token"],
        encoding_aes_key=vector["encoding_aes_key"],
        appid="wx0000000000000000",
    )
    with pytest.raises(CryptoError, match="another AppID"):
        other.decrypt(vector["encrypt"])


@pytest.mark.parametrize("ciphertext", ["", "not base64!!", "QUJD", "A" * 64])
def test_bad_ciphertext_or_padding_is_refused(vector, ciphertext):
    with pytest.raises(CryptoError):
        crypto_for(vector).decrypt(ciphertext)


@pytest.mark.parametrize("key", ["short", "a" * 43 + "!", "*" * 43])
def test_a_malformed_encoding_aes_key_is_refused(key):
    with pytest.raises(CryptoError):
        MessageCrypto(token="t", encoding_aes_key=key, appid="wx1")


BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xml><Content>&lol2;</Content></xml>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<xml><Content>&e;</Content></xml>"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (BILLION_LAUGHS, "forbidden"),
        (EXTERNAL, "forbidden"),
        (b"<xml><Content>unclosed</xml>", "well-formed"),
        (b"", "empty"),
        (b"<html></html>", "not <xml>"),
        (b"<xml>" + b"a" * 70000 + b"</xml>", "larger than"),
    ],
)
def test_hostile_or_broken_xml_is_refused(body, message):
    with pytest.raises(XmlError, match=message):
        parse_xml(body)
