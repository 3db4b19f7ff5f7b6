"""The admin's key, from the environment or an encrypted JSON keystore; never argv."""

from __future__ import annotations

import json

from eth_account import Account
from eth_account.signers.local import LocalAccount

from dentareview.config import Settings


class AdminKeyError(Exception):
    """The configured admin key cannot be used (never says what the key is)."""


def load_admin_account(settings: Settings) -> LocalAccount | None:
    """The admin's account when a key of its own is configured, else None."""
    if settings.admin_key is not None and settings.admin_keystore is not None:
        raise AdminKeyError("configure the admin key or an admin keystore, not both")
    if settings.admin_key is not None:
        try:
            account: LocalAccount = Account.from_key(settings.admin_key.get_secret_value())
        except (ValueError, TypeError):
            raise AdminKeyError("the admin key is not a valid private key") from None
        return account
    if settings.admin_keystore is None:
        return None
    path = settings.admin_keystore
    if settings.admin_keystore_password is None:
        raise AdminKeyError(f"the admin keystore {path} needs its password")
    try:
        encrypted = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise AdminKeyError(f"cannot read the admin keystore {path}: {error.strerror}") from None
    except ValueError:
        raise AdminKeyError(f"the admin keystore {path} is not JSON") from None
    try:
        key = Account.decrypt(encrypted, settings.admin_keystore_password.get_secret_value())
    except (ValueError, KeyError, TypeError):
        raise AdminKeyError(
            f"cannot decrypt the admin keystore {path}: wrong password or not a keystore"
        ) from None
    decrypted: LocalAccount = Account.from_key(key)
    return decrypted
