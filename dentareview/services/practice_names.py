"""Practice names against the stored ones: no look-alikes, and no change without a
recorded decision (who, when, old name, new name, why).

Registering a new dentist is not a rename. Recording a known dentist again with the
same name is a no-op; with another name it is refused (`RENAME_REQUIRES_REASON`):
the name changes only through `rename_practice`, which records the decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.models import NameChannel, NameDecisionRow
from dentareview.db.queries.dentists import (
    dentist_with_skeleton,
    get_dentist,
    list_name_decisions,
    rename_dentist,
)
from dentareview.domain.models import parse_address
from dentareview.domain.practice_names import practice_name, rename_reason, skeleton
from dentareview.errors import (
    DentistNotFound,
    NameConfusable,
    NameUnchanged,
    RenameRequiresReason,
)


@dataclass(frozen=True)
class NameDecisionView:
    id: int
    dentist: str
    old_name: str
    new_name: str
    reason: str
    decided_by: str
    channel: NameChannel
    decided_at: int


def _view(row: NameDecisionRow) -> NameDecisionView:
    return NameDecisionView(
        id=row.id,
        dentist=row.dentist,
        old_name=row.old_name,
        new_name=row.new_name,
        reason=row.reason,
        decided_by=row.decided_by,
        channel=row.channel,
        decided_at=row.decided_at,
    )


def _refuse_lookalike(session: Session, *, address: str, name: str) -> None:
    other = dentist_with_skeleton(session, name_skeleton=skeleton(name), other_than=address)
    if other is not None:
        raise NameConfusable(
            f"the name {name!r} looks like that of the practice {other.name!r} "
            f"({other.address}); choose a name readers can tell apart",
            field="name",
        )


def vet_registration(session: Session, *, address: str, name: str) -> str:
    """The stored form of `name` for recording dentist `address` (checksummed), refused
    if it deceives, looks like another practice's, or would silently rename it."""
    clean = practice_name(name)
    known = get_dentist(session, address=address)
    if known is not None and known.name == clean:
        return clean  # recorded already under this name: nothing new to compare
    if known is not None:
        raise RenameRequiresReason(
            f"{address} is recorded as {known.name!r}; to change its name use "
            f"POST /v1/operator/dentists/{address}/name or `dentareview dentist rename "
            f"{address} NAME --reason ...`, giving a reason",
            field="name",
        )
    _refuse_lookalike(session, address=address, name=clean)
    return clean


def rename_practice(
    session: Session,
    *,
    address: str,
    name: str,
    reason: str,
    decided_by: str,
    channel: NameChannel,
    now: int,
) -> NameDecisionView:
    """Change a recorded practice's name, with the decision that says who and why."""
    dentist = parse_address(address, "address")
    clean = practice_name(name)
    why = rename_reason(reason)
    known = get_dentist(session, address=dentist)
    if known is None:
        raise DentistNotFound(f"no dentist {dentist} is recorded by this service", field="address")
    if known.name == clean:
        raise NameUnchanged(f"{dentist} is already named {clean!r}", field="name")
    _refuse_lookalike(session, address=dentist, name=clean)
    decision = rename_dentist(
        session,
        address=dentist,
        new_name=clean,
        reason=why,
        decided_by=decided_by,
        channel=channel,
        now=now,
    )
    return _view(decision)


def name_decisions(
    session: Session, *, dentist: str | None = None, limit: int, offset: int = 0
) -> list[NameDecisionView]:
    """Recorded name changes, newest first."""
    who = parse_address(dentist, "dentist") if dentist is not None else None
    return [
        _view(row) for row in list_name_decisions(session, dentist=who, limit=limit, offset=offset)
    ]
