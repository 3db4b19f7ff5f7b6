"""A practice's details: set and read by the signed-in practice, read by anyone."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from dentareview.api.auth import SignedInWallet
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.domain import practice_details as rules
from dentareview.domain.models import parse_address
from dentareview.services.practice_details import (
    DetailsView,
    own_details,
    public_details,
    set_own_details,
)

router = APIRouter(tags=["practice"])

_REFUSALS = ("NOT_SIGNED_IN", "NOT_A_DENTIST", "DENTIST_INACTIVE")
_FIELD_CODES = ("INVALID_PHONE", "INVALID_WEBSITE", "INVALID_COUNTRY", "INVALID_LOCATION")


class PracticeDetailsIn(BaseModel):
    """The practice's details, all at once (what is left out or null is cleared)."""

    model_config = ConfigDict(extra="forbid")

    street: str | None = Field(
        default=None, max_length=rules.MAX_STREET, pattern=rules.ONE_LINE, description="street"
    )
    city: str | None = Field(
        default=None, max_length=rules.MAX_CITY, pattern=rules.ONE_LINE, description="city"
    )
    postalCode: str | None = Field(
        default=None,
        max_length=rules.MAX_POSTAL_CODE,
        pattern=rules.POSTAL_CODE,
        description="letters, digits, spaces and hyphens",
    )
    country: str | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2 (DE, GB, US...); 422 INVALID_COUNTRY otherwise",
    )
    phone: str | None = Field(
        default=None,
        max_length=rules.MAX_PHONE,
        pattern=rules.ONE_LINE,
        description="international form (+44 20 7946 0958), or national with `country`; "
        "422 INVALID_PHONE when not a valid number; answered in international form",
    )
    website: str | None = Field(
        default=None,
        max_length=rules.MAX_WEBSITE,
        pattern=rules.ONE_LINE,
        description="https:// URL; 422 INVALID_WEBSITE otherwise",
    )
    hours: str | None = Field(
        default=None,
        max_length=rules.MAX_HOURS,
        pattern=rules.FEW_LINES,
        description="opening hours in a few words or lines, e.g. Mon-Fri 8:00-18:00",
    )
    languages: list[str] = Field(
        default_factory=list,
        max_length=len(rules.LANGUAGES),
        description=f"languages spoken, from: {', '.join(rules.LANGUAGES)}",
    )
    acceptingNewPatients: bool | None = Field(
        default=None, description="true, false, or null for not said"
    )
    latitude: float | None = Field(
        default=None, allow_inf_nan=False, description="-90..90, with longitude or not at all"
    )
    longitude: float | None = Field(
        default=None, allow_inf_nan=False, description="-180..180, with latitude or not at all"
    )


class PracticeDetailsOut(BaseModel):
    """A practice's details: public, like its name (a business's, not a patient's)."""

    dentist: str
    name: str
    street: str | None
    city: str | None
    postalCode: str | None
    country: str | None
    phone: str | None
    website: str | None
    hours: str | None
    languages: list[str] = Field(description="in the order of `languageChoices`")
    acceptingNewPatients: bool | None
    latitude: float | None
    longitude: float | None
    updatedAt: int | None = Field(description="when the practice last saved; null: never")
    languageChoices: list[str] = Field(description="every language a practice may name")


def details_out(view: DetailsView) -> PracticeDetailsOut:
    d = view.details
    return PracticeDetailsOut(
        dentist=view.dentist,
        name=view.name,
        street=d.street,
        city=d.city,
        postalCode=d.postal_code,
        country=d.country,
        phone=d.phone,
        website=d.website,
        hours=d.hours,
        languages=list(d.languages),
        acceptingNewPatients=d.accepting_new_patients,
        latitude=d.latitude,
        longitude=d.longitude,
        updatedAt=view.updated_at,
        languageChoices=list(rules.LANGUAGES),
    )


@router.get(
    "/v1/practice/details",
    response_model=PracticeDetailsOut,
    responses=error_responses(*_REFUSALS),
)
def get_own_details(
    wallet: SignedInWallet, session: DbSession, response: Response
) -> PracticeDetailsOut:
    """The signed-in practice's details, as saved."""
    response.headers["Cache-Control"] = "no-store"
    return details_out(own_details(session, wallet=wallet.wallet))


@router.put(
    "/v1/practice/details",
    response_model=PracticeDetailsOut,
    responses=error_responses(*_REFUSALS, "CROSS_SITE_REQUEST", "VALIDATION_ERROR", *_FIELD_CODES),
)
def put_own_details(
    body: PracticeDetailsIn,
    wallet: SignedInWallet,
    state: State,
    session: DbSession,
    response: Response,
) -> PracticeDetailsOut:
    """Replace the signed-in practice's details; the answer is what was saved
    (normalised: the phone in international form, the country and postal code upper case)."""
    view = set_own_details(
        session,
        wallet=wallet.wallet,
        now=state.clock(),
        street=body.street,
        city=body.city,
        postal_code=body.postalCode,
        country=body.country,
        phone=body.phone,
        website=body.website,
        hours=body.hours,
        languages=body.languages,
        accepting_new_patients=body.acceptingNewPatients,
        latitude=body.latitude,
        longitude=body.longitude,
    )
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return details_out(view)


@router.get(
    "/v1/dentists/{address}/details",
    response_model=PracticeDetailsOut,
    responses=error_responses("VALIDATION_ERROR", "DENTIST_NOT_FOUND"),
    tags=["dentists"],
)
def get_public_details(address: str, session: DbSession) -> PracticeDetailsOut:
    """A practice's public details: address, phone, website, opening hours, languages,
    whether it takes new patients, and its coordinates (each null until the practice
    sets it)."""
    return details_out(public_details(session, dentist=parse_address(address, "address")))
