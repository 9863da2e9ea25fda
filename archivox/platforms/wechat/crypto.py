"""WeChat callback signatures and safe-mode (AES) message encryption.

AES-256-CBC with the key from the 43-character EncodingAESKey, PKCS#7 padding to 32 bytes, and
the AppID appended to the plaintext (checked on decrypt). The block work is wechatpy's
(``PrpCrypto``, on the ``cryptography`` package); XML is ours, parsed with defusedxml.

Decrypting unpacks the plaintext here rather than in ``PrpCrypto.decrypt``: wechatpy (1.8.18)
trusts the last byte as the padding length without looking at the others, and slices the
length-prefixed XML without checking that it is all there (issue 17).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import string
import struct
import time

from wechatpy.crypto import PrpCrypto

from archivox.platforms.wechat.xml import XmlError, build_xml, parse_xml


class CryptoError(ValueError):
    """A signature, key, ciphertext or AppID that does not check out."""


BLOCK = 32  # WeChat pads to 32 bytes, not to AES's 16
RANDOM_PREFIX = 16  # random bytes before the length, ignored
LENGTH = struct.Struct(">I")  # the XML's length in bytes, network order


def signature(token: str, timestamp: str, nonce: str, *extra: str) -> str:
    """SHA-1 of the sorted token, timestamp, nonce (and Encrypt in safe mode), as WeChat signs."""
    parts = sorted([token, str(timestamp), str(nonce), *extra])
    return hashlib.sha1("".join(parts).encode()).hexdigest()  # noqa: S324 - the platform's rule


def signature_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given)


def nonce() -> str:
    return "".join(secrets.choice(string.digits) for _ in range(10))


def aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise CryptoError("the EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise CryptoError("the EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise CryptoError("the EncodingAESKey does not decode to 32 bytes")
    return key


def _pkcs7_unpad(padded: bytes) -> bytes:
    """Strip PKCS#7 padding to 32-byte blocks, checking every padding byte: a last byte of n
    must follow n - 1 more bytes of n (WeChat's own sample pads so)."""
    if not padded:
        raise CryptoError("the ciphertext is empty")
    count = padded[-1]
    if not 1 <= count <= BLOCK or padded[-count:] != bytes([count]) * count:
        raise CryptoError("bad PKCS#7 padding")
    return padded[:-count]


class MessageCrypto:
    """Decrypts and encrypts messages of one official account (token, EncodingAESKey, AppID)."""

    def __init__(self, *, token: str, encoding_aes_key: str, appid: str) -> None:
        self.token = token
        self.key = aes_key(encoding_aes_key)
        self.appid = appid

    def decrypt(self, encrypted: str) -> str:
        """Ciphertext (base64) → plaintext XML; refuses bad padding and a foreign AppID.

        Framing: 16 random bytes, the XML's length (4 bytes), the XML, the AppID, PKCS#7."""
        try:
            padded = PrpCrypto(self.key).cipher.decrypt(base64.b64decode(encrypted))
        except Exception as exc:  # base64, a length not a multiple of the AES block
            raise CryptoError(f"the ciphertext does not decrypt ({type(exc).__name__})") from exc
        content = _pkcs7_unpad(padded)
        if len(content) < RANDOM_PREFIX + LENGTH.size:
            raise CryptoError("the decrypted message is too short to hold its length")
        (length,) = LENGTH.unpack_from(content, RANDOM_PREFIX)
        start = RANDOM_PREFIX + LENGTH.size
        if length > len(content) - start:
            raise CryptoError("the decrypted message is shorter than its length field says")
        xml, appid = content[start : start + length], content[start + length :]
        if appid != self.appid.encode():
            raise CryptoError("the message was encrypted for another AppID")
        try:
            return xml.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CryptoError("the decrypted message is not UTF-8") from exc

    def encrypt(self, plaintext: str) -> str:
        encrypted = PrpCrypto(self.key).encrypt(plaintext, self.appid)
        return encrypted if isinstance(encrypted, str) else encrypted.decode()

    def decrypt_message(
        self, body: bytes | str, *, msg_signature: str, timestamp: str, nonce: str
    ) -> str:
        """A safe-mode POST body → the plaintext message XML, after checking msg_signature."""
        try:
            envelope = parse_xml(body)
        except XmlError as exc:
            raise CryptoError(str(exc)) from exc
        encrypted = envelope.get("Encrypt")
        if not encrypted:
            raise CryptoError("the body has no Encrypt element")
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not signature_matches(expected, msg_signature):
            raise CryptoError("msg_signature does not match")
        return self.decrypt(encrypted)

    def encrypt_message(self, plaintext: str, *, timestamp: str | None = None) -> str:
        """A reply's XML → the safe-mode envelope WeChat expects back."""
        timestamp = timestamp or str(int(time.time()))
        reply_nonce = nonce()
        encrypted = self.encrypt(plaintext)
        return build_xml(
            {
                "Encrypt": encrypted,
                "MsgSignature": signature(self.token, timestamp, reply_nonce, encrypted),
                "TimeStamp": timestamp,
                "Nonce": reply_nonce,
            }
        )
