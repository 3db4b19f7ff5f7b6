"""A practice's details: set by the signed-in practice, read by anyone (they are a
business's public details, like its name)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.models import PracticeDetailsRow
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.practice_details import (
    details_row,
    details_row_for_update,
    languages_of,
    set_languages,
)
from dentareview.domain.practice_details import (
    LANGUAGES,
    PracticeDetails,
    format_coordinate,
    postal_key,
    practice_details,
    search_text,
)
from dentareview.errors import DentistNotFound
from dentareview.services.practice import practice_of


@dataclass(frozen=True)
class DetailsView:
    dentist: str
    name: str
    details: PracticeDetails
    updated_at: int | None  # None: never set


def _view(
    session: Session, *, dentist: str, name: str, row: PracticeDetailsRow | None
) -> DetailsView:
    if row is None:
        return DetailsView(dentist, name, PracticeDetails(), None)
    spoken = languages_of(session, dentists=[dentist]).get(dentist, [])
    details = PracticeDetails(
        street=row.street,
        city=row.city,
        postal_code=row.postal_code,
        country=row.country,
        phone=row.phone,
        website=row.website,
        hours=row.hours,
        languages=tuple(code for code in LANGUAGES if code in spoken),
        accepting_new_patients=row.accepting_new_patients,
        latitude=float(row.latitude) if row.latitude is not None else None,
        longitude=float(row.longitude) if row.longitude is not None else None,
    )
    return DetailsView(dentist, name, details, row.updated_at)


def own_details(session: Session, *, wallet: str) -> DetailsView:
    """The signed-in practice's details (NOT_A_DENTIST, DENTIST_INACTIVE otherwise)."""
    practice = practice_of(session, wallet=wallet)
    row = details_row(session, dentist=practice.address)
    return _view(session, dentist=practice.address, name=practice.name, row=row)


def set_own_details(
    session: Session,
    *,
    wallet: str,
    now: int,
    street: str | None,
    city: str | None,
    postal_code: str | None,
    country: str | None,
    phone: str | None,
    website: str | None,
    hours: str | None,
    languages: Sequence[str],
    accepting_new_patients: bool | None,
    latitude: float | None,
    longitude: float | None,
) -> DetailsView:
    """Replace the signed-in practice's details with these (checked first: nothing is
    written when one field is refused)."""
    practice = practice_of(session, wallet=wallet)
    details = practice_details(
        street=street,
        city=city,
        postal_code=postal_code,
        country=country,
        phone=phone,
        website=website,
        hours=hours,
        languages=languages,
        accepting_new_patients=accepting_new_patients,
        latitude=latitude,
        longitude=longitude,
    )
    row = details_row_for_update(session, dentist=practice.address, now=now)
    row.street, row.city, row.postal_code = details.street, details.city, details.postal_code
    row.city_key = search_text(details.city) if details.city else None
    row.postal_key = postal_key(details.postal_code) if details.postal_code else None
    row.country, row.phone, row.website = details.country, details.phone, details.website
    row.hours, row.accepting_new_patients = details.hours, details.accepting_new_patients
    row.latitude = format_coordinate(details.latitude) if details.latitude is not None else None
    row.longitude = format_coordinate(details.longitude) if details.longitude is not None else None
    row.updated_at = now
    set_languages(session, dentist=practice.address, languages=details.languages)
    return _view(session, dentist=practice.address, name=practice.name, row=row)


def public_details(session: Session, *, dentist: str) -> DetailsView:
    """A registered dentist's details, for anyone (DENTIST_NOT_FOUND otherwise)."""
    found = get_dentist(session, address=dentist)
    if found is None:
        raise DentistNotFound(f"no dentist is registered at {dentist}")
    return _view(
        session, dentist=found.address, name=found.name, row=details_row(session, dentist=dentist)
    )
