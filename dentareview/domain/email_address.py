"""Patients' email addresses: checked and normalised before anything stores one."""

from __future__ import annotations

import hashlib

from email_validator import EmailNotValidError, validate_email

from dentareview.errors import InvalidEmail


def normalize_email(text: str, *, field: str = "email") -> str:
    """The address in its normal form (the domain lowercased and IDNA-checked); no DNS
    lookup: deliverability is the mail server's to find out."""
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        # The library's message quotes the address: keep it out of answers and logs.
        raise InvalidEmail(field=field) from None
    return checked.normalized


def suppression_hash(dentist: str, email: str) -> str:
    """What is kept of an address that unsubscribed from a practice: a SHA-256 that
    recognises the same address at the same practice, and nothing else."""
    material = f"dentareview-unsubscribe\n{dentist.lower()}\n{email.lower()}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
