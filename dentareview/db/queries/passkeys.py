"""Passkey credentials, practices' check-in codes and check-ins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentareview.db.models import (
    DentistRow,
    PasskeyCheckinRow,
    PasskeyCredentialRow,
    PracticeCheckinCodeRow,
)


def credential_by_id(session: Session, credential_id: str) -> PasskeyCredentialRow | None:
    return session.get(PasskeyCredentialRow, credential_id)


def credential_of_account(session: Session, account: str) -> PasskeyCredentialRow | None:
    stmt = select(PasskeyCredentialRow).where(PasskeyCredentialRow.account == account)
    return session.scalars(stmt).one_or_none()


def insert_credential(
    session: Session, *, credential_id: str, account: str, qx: str, qy: str, now: int
) -> None:
    session.add(
        PasskeyCredentialRow(
            credential_id=credential_id, account=account, qx=qx, qy=qy, created_at=now
        )
    )
    session.flush()


def practice_of_code(session: Session, code: str) -> DentistRow | None:
    stmt = (
        select(DentistRow)
        .join(PracticeCheckinCodeRow, PracticeCheckinCodeRow.dentist == DentistRow.address)
        .where(PracticeCheckinCodeRow.code == code)
    )
    return session.scalars(stmt).one_or_none()


def code_of_practice(session: Session, dentist: str) -> str | None:
    row = session.get(PracticeCheckinCodeRow, dentist)
    return row.code if row is not None else None


def insert_practice_code(session: Session, *, dentist: str, code: str, now: int) -> None:
    session.add(PracticeCheckinCodeRow(dentist=dentist, code=code, created_at=now))
    session.flush()


def insert_checkin(session: Session, *, dentist: str, account: str, code: str, now: int) -> None:
    session.add(PasskeyCheckinRow(dentist=dentist, account=account, code=code, created_at=now))
    session.flush()


def checkins_since(session: Session, *, dentist: str, since: int) -> list[PasskeyCheckinRow]:
    stmt = (
        select(PasskeyCheckinRow)
        .where(PasskeyCheckinRow.dentist == dentist, PasskeyCheckinRow.created_at >= since)
        .order_by(PasskeyCheckinRow.created_at.desc(), PasskeyCheckinRow.id.desc())
    )
    return list(session.scalars(stmt))


def latest_checkin_of(session: Session, account: str) -> PasskeyCheckinRow | None:
    stmt = (
        select(PasskeyCheckinRow)
        .where(PasskeyCheckinRow.account == account)
        .order_by(PasskeyCheckinRow.created_at.desc(), PasskeyCheckinRow.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()
