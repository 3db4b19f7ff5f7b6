"""POST /v1/practice/visits/import: a practice system's day of signed visits, at once.

Authenticated by the practice's key: each Visit carries the signature POST /v1/visits
checks. All or nothing: one refused visit and none is stored; the answer gives every
visit's outcome either way.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dentareview.api.convert import signature_from_wire, visit_from_wire
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.ratelimit import WalletCounter
from dentareview.api.schemas import (
    ErrorBody,
    PatientLanguage,
    Signature,
    Strict,
    VisitMessage,
)
from dentareview.domain.languages import page_language
from dentareview.domain.visit_import import MAX_VISITS
from dentareview.errors import VisitImportRejected
from dentareview.services.visit_imports import ImportReport, SignedImport, import_visits

PATH = "/v1/practice/visits/import"
# The body a full import takes (MAX_VISITS entries of about 400 bytes), with room.
MAX_BODY_BYTES = 512 * 1024

router = APIRouter(tags=["visits"])


class ImportEntryIn(Strict):
    message: VisitMessage
    signature: Signature
    email: Annotated[
        str | None,
        Field(max_length=254, description="The patient's email: the invitation is queued"),
    ] = None
    language: PatientLanguage = None


class VisitImportIn(Strict):
    visits: Annotated[list[ImportEntryIn], Field(min_length=1, max_length=MAX_VISITS)]


class EntryOut(BaseModel):
    entry: int = Field(description="1-based position in `visits`")
    visitId: str
    result: Literal["imported", "already_there", "refused"]
    error: ErrorBody | None = None


class VisitImportRejectedOut(BaseModel):
    """422: the error, and for VISIT_IMPORT_REJECTED every visit's outcome."""

    error: ErrorBody
    results: list[EntryOut] | None = None


class VisitImportOut(BaseModel):
    imported: int
    alreadyThere: int
    results: list[EntryOut]


def _results(report: ImportReport) -> list[EntryOut]:
    return [
        EntryOut(
            entry=number,
            visitId=outcome.visit_id,
            result=outcome.result,
            error=None if outcome.error is None else ErrorBody(**outcome.error.to_dict()),
        )
        for number, outcome in enumerate(report.outcomes, start=1)
    ]


def _rejected(report: ImportReport) -> JSONResponse:
    refused = report.count("refused")
    error = VisitImportRejected(
        f"{refused} of {len(report.outcomes)} visits were refused; none was imported",
        field="visits",
    )
    results = [entry.model_dump(exclude_none=True) for entry in _results(report)]
    return JSONResponse({"error": error.to_dict(), "results": results}, status_code=error.status)


_RESPONSES = error_responses(
    "VALIDATION_ERROR", "VISIT_IMPORT_REJECTED", "PAYLOAD_TOO_LARGE", "NOT_DEPLOYED"
)
_RESPONSES[422] = {**_RESPONSES[422], "model": VisitImportRejectedOut}


@router.post(
    PATH,
    response_model=VisitImportOut,
    responses=_RESPONSES,
)
def post_visit_import(
    body: VisitImportIn, state: State, session: DbSession, count_wallet: WalletCounter
) -> VisitImportOut | JSONResponse:
    """Attest up to 500 visits signed by one dentist (or a key it authorised), in one
    transaction; a visitId already recorded with the same content is `already_there`."""
    entries = [
        SignedImport(
            visit=visit_from_wire(entry.message),
            signature=signature_from_wire(entry.signature),
            email=entry.email,
            language=page_language(entry.language),
        )
        for entry in body.visits
    ]
    report = import_visits(
        session,
        domain=state.domain(),
        entries=entries,
        now=state.clock(),
        policy=state.settings.policy(),
        contracts=state.gateway.contract_accounts(),
        count_signer=count_wallet,
    )
    if not report.accepted:
        session.rollback()
        return _rejected(report)
    session.commit()
    return VisitImportOut(
        imported=report.count("imported"),
        alreadyThere=report.count("already_there"),
        results=_results(report),
    )
