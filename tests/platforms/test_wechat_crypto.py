import base64
import json
import struct
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
        (b"<xml>" + b"<a>" * 1000 + b"</a>" * 1000 + b"</xml>", "nested deeper than 16"),
        (b"<xml>" + b"<a/>" * 2000 + b"</xml>", "more than 1,024 elements"),
    ],
)
def test_hostile_or_broken_xml_is_refused(body, message):
    with pytest.raises(XmlError, match=message):
        parse_xml(body)


def _encrypt_raw(vector, framed: bytes) -> str:
    """AES-256-CBC as WeChat does it, of exactly ``framed`` (no padding added)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    from archivox.platforms.wechat.crypto import aes_key

    key = aes_key(vector["encoding_aes_key"])
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(framed) + encryptor.finalize()).decode()


def _framed(vector, xml: bytes, *, length: int | None = None) -> bytes:
    size = len(xml) if length is None else length
    return b"r" * 16 + struct.pack(">I", size) + xml + vector["appid"].encode()


@pytest.mark.parametrize(
    "padding",
    [
        pytest.param(lambda n: b"\0" * (n - 1) + bytes([n]), id="zeros-then-the-count"),
        pytest.param(lambda n: bytes([n]) * (n - 1) + b"\0", id="last-byte-zero"),
        pytest.param(lambda n: bytes([n]) * (n - 2) + bytes([n + 1, n]), id="one-byte-off"),
        pytest.param(lambda n: bytes([n + 32]) * (n + 32), id="count-over-a-block"),
    ],
)
def test_every_padding_byte_is_checked(vector, padding):
    framed = _framed(vector, b"<xml><A>1</A></xml>")
    n = 32 - len(framed) % 32
    if n < 2:
        framed = _framed(vector, b"<xml><A>12</A></xml>")
        n = 32 - len(framed) % 32
    with pytest.raises(CryptoError, match="padding"):
        crypto_for(vector).decrypt(_encrypt_raw(vector, framed + padding(n)))


def test_a_length_field_past_the_end_is_refused(vector):
    framed = _framed(vector, b"<xml><A>1</A></xml>", length=10_000)
    n = 32 - len(framed) % 32
    with pytest.raises(CryptoError, match="length"):
        crypto_for(vector).decrypt(_encrypt_raw(vector, framed + bytes([n]) * n))
