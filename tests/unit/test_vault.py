"""Encryption of the psychologist's journal: key wrapping, field binding, tamper detection, recovery keys."""

from __future__ import annotations

import pytest

from moc_desktop.services import vault
from moc_desktop.services.vault import FieldCipher, WrongKey

UUID_A = "11111111-2222-3333-4444-555555555555"
UUID_B = "66666666-7777-8888-9999-000000000000"


def test_wrap_unwrap_round_trip_and_wrong_secret():
    key = vault.new_data_key()
    assert len(key) == vault.KEY_BYTES
    salt, wrapped = vault.wrap_key("Пароль-психолога-1", key)
    assert key not in wrapped
    assert vault.unwrap_key("Пароль-психолога-1", salt, wrapped) == key
    with pytest.raises(WrongKey):
        vault.unwrap_key("пароль-психолога-1", salt, wrapped)
    with pytest.raises(WrongKey):
        vault.unwrap_key("Пароль-психолога-1", vault.new_salt(), wrapped)
    # a fresh salt and nonce every time: the same key wraps differently
    salt2, wrapped2 = vault.wrap_key("Пароль-психолога-1", key)
    assert salt2 != salt and wrapped2 != wrapped


def test_field_cipher_round_trip_and_empty_values():
    cipher = FieldCipher(vault.new_data_key())
    blob = cipher.encrypt("Конфликт с одноклассниками", UUID_A, "request")
    assert isinstance(blob, bytes) and "Конфликт".encode() not in blob
    assert cipher.decrypt(blob, UUID_A, "request") == "Конфликт с одноклассниками"
    assert cipher.encrypt("", UUID_A, "request") is None
    assert cipher.encrypt(None, UUID_A, "request") is None
    assert cipher.decrypt(None, UUID_A, "request") == ""
    # equal texts encrypt differently (random nonce)
    assert cipher.encrypt("да", UUID_A, "notes") != cipher.encrypt("да", UUID_A, "notes")


def test_field_cipher_is_bound_to_record_and_field():
    cipher = FieldCipher(vault.new_data_key())
    blob = cipher.encrypt("Тревожность", UUID_A, "request")
    with pytest.raises(WrongKey):
        cipher.decrypt(blob, UUID_B, "request")  # copied into another record
    with pytest.raises(WrongKey):
        cipher.decrypt(blob, UUID_A, "result")  # swapped into another field
    with pytest.raises(WrongKey):
        FieldCipher(vault.new_data_key()).decrypt(blob, UUID_A, "request")  # another key


def test_tampered_or_truncated_value_fails():
    cipher = FieldCipher(vault.new_data_key())
    blob = bytearray(cipher.encrypt("Рекомендации родителям", UUID_A, "recommendations"))
    for i in (0, vault.NONCE_BYTES, len(blob) - 1):
        bad = bytearray(blob)
        bad[i] ^= 0x01
        with pytest.raises(WrongKey):
            cipher.decrypt(bytes(bad), UUID_A, "recommendations")
    with pytest.raises(WrongKey):
        cipher.decrypt(bytes(blob[:20]), UUID_A, "recommendations")
    key = vault.new_data_key()
    salt, wrapped = vault.wrap_key("secret-pass", key)
    bad = bytearray(wrapped)
    bad[-1] ^= 0x80
    with pytest.raises(WrongKey):
        vault.unwrap_key("secret-pass", salt, bytes(bad))


def test_cipher_refuses_a_key_of_wrong_length():
    with pytest.raises(ValueError):
        FieldCipher(b"short")


def test_recovery_key_format_and_normalisation():
    key = vault.new_recovery_key()
    groups = key.split("-")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert key == vault.normalize_recovery_key(key)
    assert vault.new_recovery_key() != key
    # lower case, spaces instead of dashes, no separators at all
    assert vault.normalize_recovery_key(key.lower()) == key
    assert vault.normalize_recovery_key(" " + key.replace("-", " ") + " ") == key
    assert vault.normalize_recovery_key(key.replace("-", "")) == key
    # Cyrillic look-alikes typed on a Russian layout (А В С Е Н К М О Р Т Х У), in either case
    assert vault.normalize_recovery_key("АВСЕ-НКМО-РТХУ") == "ABCE-HKMO-PTXY"
    assert vault.normalize_recovery_key("авсе нкмо ртху") == "ABCE-HKMO-PTXY"
    # read off paper: digits that Base32 never uses stand for the letters they look like
    assert vault.normalize_recovery_key("0K1B-8AAA") == "OKIB-BAAA"


def test_recovery_key_typed_loosely_unwraps_the_data_key():
    data_key = vault.new_data_key()
    recovery = vault.new_recovery_key()
    salt, wrapped = vault.wrap_key(vault.normalize_recovery_key(recovery), data_key)
    typed = recovery.lower().replace("-", " ")
    assert vault.unwrap_key(vault.normalize_recovery_key(typed), salt, wrapped) == data_key
