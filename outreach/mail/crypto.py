"""Mailbox passwords at rest: Fernet tokens under the keys of MAILBOX_ENCRYPTION_KEYS.

The first key encrypts and every key decrypts (MultiFernet), so a key is rotated by putting a
new one in front and, once `manage.py rotate_mailbox_keys` has run, dropping the old one. A
password is decrypted only on its way to the mail server and never logged.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.errors import ApplicationError


class UnreadableSecret(ApplicationError):
    """A stored password that none of the configured keys opens."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "MAILBOX_ENCRYPTION_KEYS holds a key that is not a Fernet key (32 url-safe "
            "base64-encoded bytes)."
        ) from exc


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.MAILBOX_ENCRYPTION_KEYS))


def encrypt(secret: str) -> str:
    """The token to store; '' stays '' (no password)."""
    return _keys().encrypt(secret.encode()).decode() if secret else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise UnreadableSecret(
            "The saved password cannot be read with the configured encryption keys; enter it again."
        ) from exc


def rotate(token: str) -> str:
    """The same secret under the first key (unchanged if it already is)."""
    return _keys().rotate(token.encode()).decode() if token else ""
