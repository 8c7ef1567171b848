"""Personal data at rest: id numbers and phones are stored encrypted, never in clear.

A registration's stored `fields` hold its id number and phone as Fernet tokens (AES-128 in
CBC mode with an HMAC-SHA256, from the `cryptography` package) marked with a prefix; names
stay readable for the staff's own queries. The keys come from the settings, newest first:
the first encrypts, every one decrypts, so a key is rotated by putting a new one in front,
running `pointplan db rotate-key`, and then dropping the old one (docs/operations.md).
Values stored before encryption was on (no prefix) are read as they are and sealed by the
next rotation.

For the hotline ("which bus am I on?") a registration is found by its id number or phone
through a keyed hash (HMAC-SHA256 under a key derived from a data key), never a plain hash:
an 11-digit phone is guessed from its plain hash in minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_FIELDS = ("id_number", "phone", "crew")
"""The fields stored encrypted: a registration's id number and phone, the names and phones of
the crew (drivers, escort) on transport's answer to a trip."""
PREFIX = "enc1:"
"""What a sealed value starts with."""
LOOKUP_FIELDS = ("id_number", "phone")
"""The fields a registration can be found by (through their keyed hashes)."""
_NOT_IN_A_NUMBER = re.compile(r"[\s\-]")


class DataKeyError(ValueError):
    """The data keys cannot be used: say which setting to fix."""


class Sealer:
    """Seals and opens the personal fields of a registration with a list of Fernet keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise DataKeyError("no data key: set POINTPLAN_DATA_KEYS or POINTPLAN_DATA_KEY_FILE")
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except ValueError:
            raise DataKeyError(
                "a data key is not a Fernet key (32 url-safe base64-encoded bytes); make one "
                "with `pointplan db new-key`"
            ) from None
        self.keys = tuple(key.strip() for key in keys)
        self._lookup_keys = tuple(_lookup_key(key) for key in self.keys)

    def lookup_hash(self, field: str, value: str) -> str:
        """The keyed hash (hex) of an id number or phone under the first data key, as the
        tables store it ("" for no value)."""
        return _keyed_hash(self._lookup_keys[0], field, value)

    def lookup_hashes(self, field: str, value: str) -> list[str]:
        """The keyed hashes of a value under every data key: a row hashed before a key was
        put in front is found until `pointplan db rotate-key` hashes it again."""
        return [_keyed_hash(key, field, value) for key in self._lookup_keys]

    def seal(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """`fields` with the id number and phone encrypted (values sealed already stay)."""
        sealed = dict(fields)
        for name in SEALED_FIELDS:
            value = sealed.get(name)
            if isinstance(value, str) and value and not value.startswith(PREFIX):
                sealed[name] = PREFIX + self._fernet.encrypt(value.encode()).decode()
        return sealed

    def open(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """`fields` with the id number and phone decrypted."""
        opened = dict(fields)
        for name in SEALED_FIELDS:
            value = opened.get(name)
            if isinstance(value, str) and value.startswith(PREFIX):
                try:
                    opened[name] = self._fernet.decrypt(value[len(PREFIX) :].encode()).decode()
                except InvalidToken:
                    raise DataKeyError(
                        "a stored value was sealed with a key that is not among the data keys"
                    ) from None
        return opened

    def reseal(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """`fields` sealed again with the first key (for rotation)."""
        return self.seal(self.open(fields))


def _lookup_key(fernet_key: str) -> bytes:
    material = base64.urlsafe_b64decode(fernet_key.encode())
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"pointplan lookup v1")
    return derive.derive(material)


def _keyed_hash(key: bytes, field: str, value: str) -> str:
    normal = _NOT_IN_A_NUMBER.sub("", value).upper()
    if not normal:
        return ""
    return hmac.new(key, f"{field}:{normal}".encode(), hashlib.sha256).hexdigest()


def new_key() -> str:
    """A fresh data key."""
    return Fernet.generate_key().decode()


def keys_from(text: str) -> list[str]:
    """The keys of a POINTPLAN_DATA_KEYS value (comma-separated, newest first)."""
    return [key for key in (part.strip() for part in text.split(",")) if key]


def key_file(path: Path) -> list[str]:
    """The keys in a key file (one a line, newest first), made with a fresh key when there
    is none; the file is made readable by its owner only, or made so."""
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(new_key() + "\n")
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return keys_from(path.read_text().replace("\n", ","))
