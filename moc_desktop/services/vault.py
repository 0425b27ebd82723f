"""Encryption at rest of the psychologist's journal (152-ФЗ: special category of personal data).

One random 256-bit *data key* encrypts the journal's confidential fields with AES-GCM; each encrypted value is
bound to its record and field (associated data ``"<uuid>:<field>"``), so a value copied into another row does not
decrypt. The data key itself is stored only *wrapped* (AES-GCM) by a key derived with Argon2id from a
psychologist's password, and once more by a key derived from the *recovery key* shown once at set-up. Nothing that
opens the journal is stored in clear: without a password or the recovery key the notes are unreadable bytes.
"""

from __future__ import annotations

import base64
import os
import secrets

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
#: Argon2id cost of deriving a wrapping key (about 0.1 s on an office PC: slow for guessing, quick for a login).
KDF_TIME_COST = 3
KDF_MEMORY_KIB = 65536
KDF_PARALLELISM = 2
#: Recovery key: 20 random bytes in Base32 (no 0/1/8/9 to confuse), shown as 8 groups of 4 characters.
RECOVERY_BYTES = 20


class WrongKey(Exception):
    """The password or recovery key does not open the data key, or a value was tampered with."""


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


_KDF_TAG = b"A2"


def kdf_salt() -> bytes:
    """A fresh salt prefixed with the Argon2id costs in force now («A2», time, memory KiB, parallelism), so a key
    wrapped today still opens after the costs are raised."""
    return (
        _KDF_TAG
        + KDF_TIME_COST.to_bytes(1, "big")
        + KDF_MEMORY_KIB.to_bytes(4, "big")
        + KDF_PARALLELISM.to_bytes(1, "big")
        + new_salt()
    )


def derive_key(secret: str, salt: bytes) -> bytes:
    """Argon2id(secret, salt) → a 256-bit wrapping key, with the costs written in the salt by :func:`kdf_salt`."""
    if len(salt) != 8 + SALT_BYTES or not salt.startswith(_KDF_TAG):
        raise WrongKey("Ключ журнала записан в неизвестном формате.")
    return hash_secret_raw(
        secret.encode("utf-8"),
        salt[8:],
        time_cost=salt[2],
        memory_cost=int.from_bytes(salt[3:7], "big"),
        parallelism=salt[7],
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _seal(key: bytes, data: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, aad)


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if not blob or len(blob) < NONCE_BYTES + 16:
        raise WrongKey("Зашифрованное значение повреждено.")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise WrongKey("Ключ не подходит или данные изменены.") from exc


def wrap_key(secret: str, data_key: bytes) -> tuple[bytes, bytes]:
    """Wrap ``data_key`` under ``secret`` (a password or a recovery key) → ``(salt, wrapped)``."""
    salt = kdf_salt()
    return salt, _seal(derive_key(secret, salt), data_key, b"moc-desktop/psych-key")


def unwrap_key(secret: str, salt: bytes, wrapped: bytes) -> bytes:
    """The data key, or :class:`WrongKey` when ``secret`` is not the one it was wrapped with."""
    return _open(derive_key(secret, salt), wrapped, b"moc-desktop/psych-key")


def new_recovery_key() -> str:
    """A human-typable recovery key: «ABCD-EFGH-…» (8 groups of 4 Base32 characters)."""
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalize_recovery_key(text: str) -> str:
    """Accept the key as typed: any case, spaces or dashes between groups, Cyrillic look-alikes of Latin letters,
    and the digits 0, 1, 8 read off paper for the letters O, I, B (Base32 has no such digits)."""
    lookalike = str.maketrans("АВСЕНКМОРТХУ018", "ABCEHKMOPTXYOIB")
    cleaned = "".join(ch for ch in text.upper().translate(lookalike) if ch.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


class FieldCipher:
    """Encrypts and decrypts the journal's text fields with the data key; ``None``/empty stays ``None``."""

    def __init__(self, data_key: bytes):
        if len(data_key) != KEY_BYTES:
            raise ValueError("Неверная длина ключа журнала.")
        self._aead = AESGCM(data_key)

    @staticmethod
    def _aad(record_uuid: str, field: str) -> bytes:
        return f"{record_uuid}:{field}".encode()

    def encrypt(self, text: str | None, record_uuid: str, field: str) -> bytes | None:
        if not text:
            return None
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, text.encode("utf-8"), self._aad(record_uuid, field))

    def decrypt(self, blob: bytes | None, record_uuid: str, field: str) -> str:
        if not blob:
            return ""
        if len(blob) < NONCE_BYTES + 16:
            raise WrongKey("Зашифрованное значение повреждено.")
        try:
            data = self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], self._aad(record_uuid, field))
        except InvalidTag as exc:
            raise WrongKey("Запись журнала повреждена или изменена вне программы.") from exc
        return data.decode("utf-8")
