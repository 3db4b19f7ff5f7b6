"""Practices' details and the languages they speak."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dentareview.db.models import PracticeDetailsRow, PracticeLanguageRow


def details_row(session: Session, *, dentist: str) -> PracticeDetailsRow | None:
    return session.get(PracticeDetailsRow, dentist)


def details_row_for_update(session: Session, *, dentist: str, now: int) -> PracticeDetailsRow:
    """The practice's row, created empty if it has none yet (flushed, so it exists)."""
    row = session.get(PracticeDetailsRow, dentist, with_for_update=True)
    if row is None:
        row = PracticeDetailsRow(dentist=dentist, updated_at=now)
        session.add(row)
        session.flush()
    return row


def set_languages(session: Session, *, dentist: str, languages: Sequence[str]) -> None:
    """Replace the practice's languages with `languages`."""
    session.execute(delete(PracticeLanguageRow).where(PracticeLanguageRow.dentist == dentist))
    session.add_all(PracticeLanguageRow(dentist=dentist, language=code) for code in languages)
    session.flush()


def languages_of(session: Session, *, dentists: Collection[str]) -> dict[str, list[str]]:
    """Each dentist's languages (a dentist with none is absent), in no set order."""
    if not dentists:
        return {}
    found: dict[str, list[str]] = defaultdict(list)
    stmt = select(PracticeLanguageRow.dentist, PracticeLanguageRow.language).where(
        PracticeLanguageRow.dentist.in_(list(dentists))
    )
    for dentist, language in session.execute(stmt):
        found[dentist].append(language)
    return dict(found)
