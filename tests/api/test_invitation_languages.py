"""Invitation emails in the patient's language, sent to a real SMTP server (aiosmtpd), on
SQLite and PostgreSQL: from a FHIR Patient's communication, a CSV's language column, or
the language field of POST /v1/visits; the link opens the page in that language; an
unknown language is English, never an error."""

from __future__ import annotations

import json
import time
from email.message import EmailMessage
from typing import Any

from eth_account.signers.local import LocalAccount
from sqlalchemy import select

from dentareview.cli.visits import signed_entries
from dentareview.db.models import InvitationRow
from dentareview.domain.fhir_visits import parse_fhir_bundle
from dentareview.domain.models import Eip712Domain
from dentareview.domain.visit_csv import parse_visits_csv, records_from_csv
from dentareview.domain.visit_import import Parsed, plan_visits
from dentareview.mail.invitation_texts import ENGLISH, GERMAN, POLISH, SPANISH
from dentareview.services.invitation_mail import deliver_invitations
from tests.api.system import DAY, System, new_wallet
from tests.support.smtp import SmtpServer
from tests.support.wallet import sign_typed

IMPORT = "/v1/practice/visits/import"
BCP47 = "urn:ietf:bcp:47"


def text_of(message: EmailMessage, kind: str = "plain") -> str:
    body = message.get_body(preferencelist=(kind,))
    assert body is not None
    return str(body.get_content())


def deliver(system: System, smtp: SmtpServer, count: int) -> list[EmailMessage]:
    settings = system.settings.model_copy(update=smtp.settings_overrides())
    report = deliver_invitations(system.sessions, settings, now=int(time.time()))
    assert report.sent == ["invitation"] * count
    return smtp.wait_for(count)


def fhir_patient(number: int, account: str, email: str, *languages: str) -> dict[str, Any]:
    return {
        "fullUrl": f"https://clinic.example/fhir/Patient/p{number}",
        "resource": {
            "resourceType": "Patient",
            "id": f"p{number}",
            "identifier": [{"system": "https://dentareview.org/fhir/account", "value": account}],
            "telecom": [{"system": "email", "value": email}],
            "communication": [
                {"language": {"coding": [{"system": BCP47, "code": code}]}, "preferred": True}
                for code in languages
            ],
        },
    }


def fhir_encounter(number: int, visited_at: int) -> dict[str, Any]:
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(visited_at))
    return {
        "resource": {
            "resourceType": "Encounter",
            "id": f"e{number}",
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "subject": {"reference": f"Patient/p{number}"},
            "period": {"end": end},
        }
    }


def imported(system: System, dentist: LocalAccount, parsed: Parsed) -> None:
    """The file's visits signed as `dentareview visit sync` signs them, and imported."""
    assert parsed.errors == []
    planned, errors = plan_visits(parsed.records, dentist=dentist.address, now=int(time.time()))
    assert errors == []
    served = system.eip712()["domain"]
    domain = Eip712Domain(
        chain_id=served["chainId"], verifying_contract=served["verifyingContract"]
    )
    response = system.client.post(IMPORT, json={"visits": signed_entries(planned, dentist, domain)})
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == len(planned)


def by_recipient(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    return {str(message["To"]): message for message in messages}


def short_link(message: EmailMessage) -> str:
    [link] = [line for line in text_of(message).splitlines() if "/i/" in line]
    return link


def test_a_fhir_patient_who_speaks_polish_gets_a_polish_invitation(
    system: System, smtp_server: SmtpServer
) -> None:
    dentist = system.new_dentist("Gabinet Uśmiech")
    yesterday = int(time.time()) - DAY
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            fhir_patient(1, new_wallet().address, "pl@example.org", "pl"),
            fhir_patient(2, new_wallet().address, "none@example.org"),
            fhir_encounter(1, yesterday),
            fhir_encounter(2, yesterday),
        ],
    }
    imported(system, dentist, parse_fhir_bundle(json.dumps(bundle)))

    sent = by_recipient(deliver(system, smtp_server, 2))
    polish = sent["pl@example.org"]
    assert polish["Content-Language"] == "pl"
    assert polish["Subject"] == "Gabinet Uśmiech: jak minęła Twoja wizyta?"
    assert polish["Subject"] == POLISH["subject"].format(practice="Gabinet Uśmiech")
    body = text_of(polish)
    assert body.startswith(POLISH["opening"].format(practice="Gabinet Uśmiech"))
    assert POLISH["open_link"] in body and "Nagroda za opinię" in body
    assert '<html lang="pl">' in text_of(polish, "html")
    assert polish["From"].addresses[0].display_name == "Gabinet Uśmiech przez DentaReview"

    # The link opens the invitation page in Polish, through the short link's redirect.
    link = short_link(polish)
    assert link.startswith(f"{system.settings.public_url}/i/") and link.endswith("?lang=pl")
    opened = system.client.get(link.removeprefix(system.settings.public_url))
    assert opened.status_code == 200  # followed to the page itself
    redirect = opened.history[0]
    assert redirect.status_code == 302
    assert redirect.headers["location"].startswith("/invite/0x")
    assert redirect.headers["location"].endswith("?lang=pl")

    # Without a communication language: English, as before, and a link without ?lang=.
    english = sent["none@example.org"]
    assert english["Content-Language"] == "en"
    assert english["Subject"] == "How was your visit to Gabinet Uśmiech?"
    assert "?lang=" not in short_link(english)
    with system.sessions() as session:
        languages = {row.language for row in session.scalars(select(InvitationRow))}
    assert languages == {"pl", None}


def test_a_csv_language_column_and_unknown_languages(
    system: System, smtp_server: SmtpServer
) -> None:
    dentist = system.new_dentist("Praxis Sonnenschein")
    day = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - DAY))
    rows = [("V-1", "de-DE"), ("V-2", "es"), ("V-3", "fr"), ("V-4", "zh-TW"), ("V-5", "")]
    csv = "visit_ref,patient_account,visited_at,email,language\n" + "".join(
        f"{ref},{new_wallet().address},{day},{ref.lower()}@example.org,{language}\n"
        for ref, language in rows
    )
    imported(system, dentist, records_from_csv(parse_visits_csv(csv)))

    sent = by_recipient(deliver(system, smtp_server, len(rows)))
    practice = "Praxis Sonnenschein"
    german, spanish = sent["v-1@example.org"], sent["v-2@example.org"]
    assert german["Content-Language"] == "de"
    assert german["Subject"] == GERMAN["subject"].format(practice=practice)
    assert text_of(german).startswith(GERMAN["opening"].format(practice=practice))
    assert short_link(german).endswith("?lang=de")
    assert spanish["Content-Language"] == "es"
    assert spanish["Subject"] == SPANISH["subject"].format(practice=practice)
    for unknown in ("v-3@example.org", "v-4@example.org", "v-5@example.org"):
        message = sent[unknown]
        assert message["Content-Language"] == "en"
        assert message["Subject"] == ENGLISH["subject"].format(practice=practice)
        assert "?lang=" not in short_link(message)


def test_the_language_field_of_post_visits(system: System, smtp_server: SmtpServer) -> None:
    dentist = system.new_dentist("Clínica Sonrisa")

    def post(email: str, language: object) -> Any:
        message = system.visit_message(dentist, new_wallet())
        signature = sign_typed(dentist, system.eip712(), "Visit", message)
        body = {"message": message, "signature": signature, "email": email, "language": language}
        return system.client.post("/v1/visits", json=body)

    assert post("es@example.org", "es-MX").status_code == 201
    assert post("zh@example.org", "zh-CN").status_code == 201
    assert post("xx@example.org", "xx").status_code == 201  # unknown: English
    refused = post("bad@example.org", "de DE; drop")
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "VALIDATION_ERROR"

    sent = by_recipient(deliver(system, smtp_server, 3))
    assert sent["es@example.org"]["Content-Language"] == "es"
    assert sent["es@example.org"]["Subject"] == "¿Qué tal fue su visita a Clínica Sonrisa?"
    assert sent["zh@example.org"]["Content-Language"] == "zh-Hans"
    assert sent["zh@example.org"]["Subject"] == "您在Clínica Sonrisa的就诊体验如何？"
    assert short_link(sent["zh@example.org"]).endswith("?lang=zh-Hans")
    assert sent["xx@example.org"]["Content-Language"] == "en"


def test_the_short_link_keeps_only_a_page_language(system: System) -> None:
    dentist = system.new_dentist()
    visit = system.attested_visit(dentist, new_wallet())
    with system.sessions() as session:
        row = session.get(InvitationRow, visit["visitId"])
        assert row is not None
        code = row.code
    target = f"/invite/{visit['visitId']}"
    for asked, kept in [("zh-Hans", "?lang=zh-Hans"), ("de", "?lang=de"), ("fr", ""), ("", "")]:
        opened = system.client.get(f"/i/{code}", params={"lang": asked}, follow_redirects=False)
        assert opened.status_code == 302
        assert opened.headers["location"] == target + kept


def test_the_language_is_deleted_with_the_address(system: System, smtp_server: SmtpServer) -> None:
    dentist = system.new_dentist()
    message = system.visit_message(dentist, new_wallet())
    signature = sign_typed(dentist, system.eip712(), "Visit", message)
    body = {"message": message, "signature": signature, "email": "p@example.org", "language": "pl"}
    assert system.client.post("/v1/visits", json=body).status_code == 201
    [sent] = deliver(system, smtp_server, 1)
    with system.sessions() as session:
        row = session.get(InvitationRow, message["visitId"])
        assert row is not None and (row.email, row.language) == ("p@example.org", "pl")
    unsubscribe = sent["List-Unsubscribe"][1:-1].removeprefix(system.settings.public_url)
    assert system.client.post(unsubscribe).status_code == 200
    with system.sessions() as session:
        row = session.get(InvitationRow, message["visitId"])
        assert row is not None and (row.email, row.language) == (None, None)
