"""Practice names through the operator's API: a name changes only by a recorded decision
(who, when, old, new, why), and deceptive or look-alike names are refused, each with its
own code, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import func, select

from dentareview.db.models import DentistRow, NameDecisionRow
from tests.api.system import System, new_wallet
from tests.api.test_moderation import as_wallet
from tests.api.test_operator import OPERATOR, admin_sends, operated

__all__ = ["operated"]

REASON = "The practice was sold and trades under its new owner's name."


def stored(system: System, address: str) -> tuple[str | None, int]:
    """The dentist's stored name and the number of recorded name decisions."""
    with system.sessions() as session:
        row = session.get(DentistRow, address)
        decisions = session.scalar(select(func.count()).select_from(NameDecisionRow))
    return (row.name if row else None), int(decisions or 0)


def test_a_name_changes_only_through_a_recorded_decision(operated: System) -> None:
    system = operated
    operator = as_wallet(system, OPERATOR)
    dentist = new_wallet().address
    admin_sends(system, "register_dentist", dentist)
    body = {"address": dentist, "name": "Harbour Dental"}
    assert operator.post("/v1/operator/dentists", json=body).status_code == 200
    # Posting the same dentist again with the same name is idempotent; another name is
    # refused and points to the rename route: nothing changes silently.
    assert operator.post("/v1/operator/dentists", json=body).status_code == 200
    silent = operator.post("/v1/operator/dentists", json={**body, "name": "Evil Twin Dental"})
    assert silent.status_code == 409, silent.text
    error = silent.json()["error"]
    assert error["code"] == "RENAME_REQUIRES_REASON" and error["field"] == "name"
    assert f"/v1/operator/dentists/{dentist}/name" in error["message"]
    assert stored(system, dentist) == ("Harbour Dental", 0)

    path = f"/v1/operator/dentists/{dentist}/name"
    no_reason = operator.post(path, json={"name": "Harbour Dental Care"})
    assert (no_reason.status_code, no_reason.json()["error"]["field"]) == (422, "reason")
    for reason in ("   ", "x" * 501, "sold\u202e"):
        bad = operator.post(path, json={"name": "Harbour Dental Care", "reason": reason})
        assert (bad.status_code, bad.json()["error"]["code"]) == (422, "RENAME_REASON_INVALID")
    same = operator.post(path, json={"name": " Harbour  Dental ", "reason": REASON})
    assert (same.status_code, same.json()["error"]["code"]) == (409, "NAME_UNCHANGED")
    assert stored(system, dentist) == ("Harbour Dental", 0)

    renamed = operator.post(path, json={"name": "Harbour Dental Care", "reason": REASON})
    assert renamed.status_code == 201, renamed.text
    decision = renamed.json()
    assert {k: v for k, v in decision.items() if k not in ("id", "decidedAt")} == {
        "dentist": dentist,
        "oldName": "Harbour Dental",
        "newName": "Harbour Dental Care",
        "reason": REASON,
        "decidedBy": OPERATOR.address,
        "channel": "operator",
    }
    assert decision["decidedAt"] > 0
    assert stored(system, dentist) == ("Harbour Dental Care", 1)
    listed = operator.get("/v1/operator/name-decisions")
    assert listed.status_code == 200 and listed.json() == [decision]
    directory = system.client.get("/v1/dentists", params={"q": dentist}).json()["items"]
    assert [d["name"] for d in directory] == ["Harbour Dental Care"]

    unknown = operator.post(
        f"/v1/operator/dentists/{new_wallet().address}/name", json={"name": "X", "reason": REASON}
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "DENTIST_NOT_FOUND")
    # Nobody but an operator renames or reads the decisions.
    outsider = as_wallet(system, new_wallet())
    for method, url, payload in (
        ("POST", path, {"name": "Mine Now", "reason": REASON}),
        ("GET", "/v1/operator/name-decisions", None),
    ):
        assert system.client.request(method, url, json=payload).status_code == 401
        assert outsider.request(method, url, json=payload).json()["error"]["code"] == (
            "NOT_AN_OPERATOR"
        )
    assert stored(system, dentist) == ("Harbour Dental Care", 1)


DECEPTIVE = [
    ("Harbour\u202e Dental", 422, "NAME_BIDI_CONTROL"),
    ("\u2067Harbour Dental\u2069", 422, "NAME_BIDI_CONTROL"),
    ("Harbour\u200b Dental", 422, "NAME_INVISIBLE_CHARACTERS"),
    ("Harbour\ufe0f Dental", 422, "NAME_INVISIBLE_CHARACTERS"),
    ("Harbour\x07 Dental", 422, "NAME_CONTROL_CHARACTERS"),
    ("Harbour\nDental", 422, "NAME_CONTROL_CHARACTERS"),
    ("Harbour \ue000", 422, "NAME_UNUSABLE_CHARACTERS"),
    ("\u200b\u200b", 422, "NAME_INVISIBLE_CHARACTERS"),
    ("   \u3000 ", 422, "NAME_BLANK"),
    ("<img src=x onerror=alert(1)>", 422, "NAME_MARKUP"),
    ("n" * 201, 422, "NAME_TOO_LONG"),
    ("H\u0430rbour Smiles", 422, "NAME_MIXED_SCRIPT"),
    # Against the stored "Bright Smiles": look-alikes whatever their letters.
    ("BRIGHT SMILES", 409, "NAME_CONFUSABLE"),
    ("\U0001d401\U0001d42b\U0001d422\U0001d420\U0001d421\U0001d42d Smiles", 409, "NAME_CONFUSABLE"),
    ("\uff22right Smi1es", 409, "NAME_CONFUSABLE"),  # fullwidth B, digit one
    ("Bright Srniles", 409, "NAME_CONFUSABLE"),
    ("Bright  Smiles ", 409, "NAME_CONFUSABLE"),
]


def test_deceptive_and_look_alike_names_are_refused_with_their_codes(operated: System) -> None:
    system = operated
    operator = as_wallet(system, OPERATOR)
    existing = system.new_dentist("Bright Smiles")
    newcomer = new_wallet().address
    admin_sends(system, "register_dentist", newcomer)
    other = new_wallet().address
    admin_sends(system, "register_dentist", other)
    assert (
        operator.post(
            "/v1/operator/dentists", json={"address": other, "name": "Quiet Harbour"}
        ).status_code
        == 200
    )

    for name, status, code in DECEPTIVE:
        registered = operator.post(
            "/v1/operator/dentists", json={"address": newcomer, "name": name}
        )
        assert (registered.status_code, registered.json()["error"]["code"]) == (status, code), name
        assert registered.json()["error"]["field"] == "name"
        renamed = operator.post(
            f"/v1/operator/dentists/{other}/name", json={"name": name, "reason": REASON}
        )
        assert (renamed.status_code, renamed.json()["error"]["code"]) == (status, code), name
    assert stored(system, newcomer) == (None, 0)
    assert stored(system, other) == ("Quiet Harbour", 0)

    # The same letters in NFD are stored as NFC; the practice keeps its own skeleton.
    nfd = operator.post(
        "/v1/operator/dentists", json={"address": newcomer, "name": "Cafe\u0301  Dentaire"}
    )
    assert nfd.status_code == 200 and nfd.json()["name"] == "Caf\u00e9 Dentaire"
    own = operator.post(
        f"/v1/operator/dentists/{existing.address}/name",
        json={"name": "BRIGHT SMILES", "reason": "Capitals, as on the practice's sign."},
    )
    assert own.status_code == 201, own.text
    # A look-alike pair stored before these rules: re-posting either as it is stays a no-op.
    twin = system.new_dentist("Bright Smiles")
    again = operator.post(
        "/v1/operator/dentists", json={"address": twin.address, "name": "Bright Smiles"}
    )
    assert again.status_code == 200, again.text
