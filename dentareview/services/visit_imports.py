"""Import a practice system's signed visits: all or nothing, idempotent.

Each visit goes through `attest_visit`, the path of POST /v1/visits (its signer check,
policy and daily limit): an import is those visits in one transaction. A visitId already
recorded with the same content is "already there"; with other content it is a conflict.
A visit with an email queues its invitation in the same transaction. The caller commits
only when no visit failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session

from dentareview.db.mapping import visit_of
from dentareview.db.queries.visits import get_visit
from dentareview.domain.languages import PageLanguage
from dentareview.domain.models import Eip712Domain, Visit
from dentareview.domain.policy import PolicySettings
from dentareview.errors import DentaReviewError, DuplicateVisit, ValidationError, VisitConflict
from dentareview.services.invitation_mail import queue_invitation_email
from dentareview.services.signatures import ContractAccounts
from dentareview.services.visits import attest_visit

Result = Literal["imported", "already_there", "refused"]


@dataclass(frozen=True)
class SignedImport:
    visit: Visit
    signature: bytes
    email: str | None
    language: PageLanguage | None = None  # of the invitation email; None: English


@dataclass(frozen=True)
class Outcome:
    visit_id: str
    result: Result
    error: DentaReviewError | None = None


@dataclass(frozen=True)
class ImportReport:
    outcomes: list[Outcome]

    def count(self, result: Result) -> int:
        return sum(1 for outcome in self.outcomes if outcome.result == result)

    @property
    def accepted(self) -> bool:
        return self.count("refused") == 0


def _once(count_signer: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """The per-wallet rate limit counts an import once, not once per visit."""
    if count_signer is None:
        return None
    counted: set[str] = set()

    def count(wallet: str) -> None:
        if wallet not in counted:
            counted.add(wallet)
            count_signer(wallet)

    return count


def _already_there(session: Session, visit: Visit) -> Outcome:
    visit_id = encode_hex(visit.visit_id)
    row = get_visit(session, visit_id=visit_id)
    if row is not None and visit_of(row) == visit:
        return Outcome(visit_id, "already_there")
    conflict = VisitConflict(
        f"visit {visit_id} is recorded with another patient, dentist or time",
        field="message.visitId",
    )
    return Outcome(visit_id, "refused", conflict)


def import_visits(
    session: Session,
    *,
    domain: Eip712Domain,
    entries: Sequence[SignedImport],
    now: int,
    policy: PolicySettings,
    contracts: ContractAccounts | None = None,
    count_signer: Callable[[str], None] | None = None,
) -> ImportReport:
    """Attest every entry in `session`; the report says each one's outcome."""
    if len({entry.visit.dentist for entry in entries}) > 1:
        raise ValidationError("every visit of an import must name the same dentist", field="visits")
    count = _once(count_signer)
    outcomes: list[Outcome] = []
    for entry in entries:
        visit_id = encode_hex(entry.visit.visit_id)
        try:
            attest_visit(
                session,
                domain=domain,
                visit=entry.visit,
                signature=entry.signature,
                now=now,
                policy=policy,
                contracts=contracts,
                count_signer=count,
            )
            if entry.email is not None:
                queue_invitation_email(
                    session,
                    visit_id=visit_id,
                    email=entry.email,
                    now=now,
                    language=entry.language,
                )
            outcomes.append(Outcome(visit_id, "imported"))
        except DuplicateVisit:
            outcomes.append(_already_there(session, entry.visit))
        except DentaReviewError as error:
            outcomes.append(Outcome(visit_id, "refused", error))
    return ImportReport(outcomes)
