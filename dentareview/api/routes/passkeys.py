"""Passkey patients: a practice's check-in link, a passkey made at check-in, the
passkey account's public facts, and the practice's list of today's check-ins."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field
from web3 import Web3

from dentareview.api.auth import SignedInWallet
from dentareview.api.deps import AppState, DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.schemas import Strict
from dentareview.chain.passkeys import PasskeyKey, passkey_account_address
from dentareview.errors import ChainUnavailable
from dentareview.services.passkeys import (
    Passkey,
    RelyingParty,
    checkins_today,
    issue_challenge,
    passkey_of_account,
    passkey_of_credential,
    practice_by_code,
    practice_code,
    register_passkey,
)
from dentareview.services.visit_signers import practice_read_by

router = APIRouter(tags=["passkeys"])

_BALANCE_OF: Final = [
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]
_TRANSFER_NONCE: Final = [
    {
        "type": "function",
        "name": "transferNonce",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]

CheckinCode = Annotated[str, Path(min_length=4, max_length=16, pattern="^[A-Za-z0-9]+$")]


class CheckinPracticeOut(BaseModel):
    code: str = Field(description="the practice's check-in code")
    address: str = Field(description="the practice's (dentist's) address")
    name: str


class ChallengeOut(BaseModel):
    challenge: str = Field(description="base64url, single use; the passkey signs it")
    rpId: str = Field(description="the relying party id passkeys are made for")
    expiresAt: int


class RegistrationIn(Strict):
    credential: dict[str, Any] = Field(
        description="PublicKeyCredential.toJSON() of navigator.credentials.create()"
    )


class RegisteredOut(BaseModel):
    account: str = Field(description="the passkey account's address: the practice's visit names it")
    credentialId: str = Field(description="base64url")
    checkinCode: str = Field(description="the short code to show at reception")
    practice: CheckinPracticeOut


class PasskeyOut(BaseModel):
    account: str
    credentialId: str = Field(description="base64url: allowCredentials of a passkey prompt")
    qx: str = Field(description="the P-256 public key's x, bytes32")
    qy: str = Field(description="the P-256 public key's y, bytes32")
    factory: str = Field(description="the PasskeyAccountFactory that deploys the account")
    deployed: bool = Field(
        description="whether the account has code; until then signatures are ERC-6492-wrapped"
    )
    transferNonce: str = Field(description="the nonce the account's next signed Transfer uses")
    rewardBalance: str | None = Field(
        description="reward token units the account holds (decimal string); null when the "
        "chain cannot be read"
    )


class CheckinOut(BaseModel):
    code: str
    account: str
    checkedInAt: int


class PracticeCheckinsOut(BaseModel):
    code: str = Field(description="the practice's check-in code; patients open /checkin/<code>")
    checkins: list[CheckinOut] = Field(description="the last 24 hours' check-ins, newest first")


_FACTORY_OF: Final = [
    {
        "type": "function",
        "name": "passkeyAccountFactory",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "address"}],
    }
]
_factories: dict[tuple[int, str], str] = {}  # the registry deploys its factory: one per registry


def _factory(state: AppState) -> str:
    """The registry's passkey account factory (read once per deployment)."""
    manifest = state.gateway.manifest()
    key = (manifest.chain_id, manifest.registry.address)
    if key not in _factories:
        registry = state.gateway.w3.eth.contract(
            address=Web3.to_checksum_address(manifest.registry.address), abi=_FACTORY_OF
        )
        try:
            found = registry.functions.passkeyAccountFactory().call()
        except (OSError, ValueError) as error:
            raise ChainUnavailable(
                "the chain does not answer: the factory cannot be read"
            ) from error
        _factories[key] = Web3.to_checksum_address(found)
    return _factories[key]


def _passkey_out(state: AppState, found: Passkey) -> PasskeyOut:
    account = Web3.to_checksum_address(found.account)
    factory = _factory(state)  # NOT_DEPLOYED without a deployment
    try:
        deployed = len(state.gateway.w3.eth.get_code(account)) > 0
        token = state.gateway.w3.eth.contract(
            address=Web3.to_checksum_address(state.gateway.manifest().token.address),
            abi=_BALANCE_OF,
        )
        balance: int | None = int(token.functions.balanceOf(account).call())
        nonce = 0  # an account not deployed yet has made no transfer
        if deployed:
            own = state.gateway.w3.eth.contract(address=account, abi=_TRANSFER_NONCE)
            nonce = int(own.functions.transferNonce().call())
    except (OSError, ValueError) as error:
        raise ChainUnavailable(
            "the chain is needed to read the account and does not answer"
        ) from error
    return PasskeyOut(
        account=found.account,
        credentialId=found.credential_id,
        qx=found.qx,
        qy=found.qy,
        factory=factory,
        deployed=deployed,
        rewardBalance=str(balance) if balance is not None else None,
        transferNonce=str(nonce),
    )


@router.get(
    "/v1/checkin/{checkin_code}",
    response_model=CheckinPracticeOut,
    responses=error_responses("CHECKIN_NOT_FOUND", "DENTIST_INACTIVE"),
)
def get_checkin_practice(checkin_code: CheckinCode, session: DbSession) -> CheckinPracticeOut:
    """The practice behind a check-in link."""
    found = practice_by_code(session, checkin_code)
    return CheckinPracticeOut(code=found.code, address=found.address, name=found.name)


@router.post(
    "/v1/passkeys/challenge",
    response_model=ChallengeOut,
    responses=error_responses("RATE_LIMITED"),
)
def post_challenge(state: State, session: DbSession, response: Response) -> ChallengeOut:
    """A fresh single-use challenge for making a passkey at check-in."""
    now = state.clock()
    ttl = state.settings.siwe_nonce_ttl_seconds
    challenge = issue_challenge(session, now=now, ttl_seconds=ttl)
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return ChallengeOut(
        challenge=challenge,
        rpId=RelyingParty.of(state.settings.public_url).rp_id,
        expiresAt=now + ttl,
    )


@router.post(
    "/v1/checkin/{checkin_code}/passkey",
    response_model=RegisteredOut,
    status_code=201,
    responses=error_responses(
        "CHECKIN_NOT_FOUND",
        "DENTIST_INACTIVE",
        "PASSKEY_REGISTRATION_INVALID",
        "PASSKEY_ORIGIN_MISMATCH",
        "PASSKEY_CHALLENGE_UNKNOWN",
        "PASSKEY_ALREADY_REGISTERED",
        "NOT_DEPLOYED",
    ),
)
def post_passkey(
    checkin_code: CheckinCode, body: RegistrationIn, state: State, session: DbSession
) -> RegisteredOut:
    """Register the passkey the patient's device just made (WebAuthn attestation, ES256,
    user verification required) and check the patient in at the practice. Answers the
    passkey account's address and the short code the patient shows at reception."""
    factory = _factory(state)
    registered = register_passkey(
        session,
        practice_code_=checkin_code,
        credential=body.credential,
        relying_party=RelyingParty.of(state.settings.public_url),
        account_of=lambda qx, qy: passkey_account_address(factory, PasskeyKey(qx, qy)),
        now=state.clock(),
    )
    session.commit()
    practice = registered.practice
    return RegisteredOut(
        account=registered.account,
        credentialId=registered.credential_id,
        checkinCode=registered.checkin_code,
        practice=CheckinPracticeOut(
            code=practice.code, address=practice.address, name=practice.name
        ),
    )


@router.get(
    "/v1/passkeys/accounts/{address}",
    response_model=PasskeyOut,
    responses=error_responses("PASSKEY_NOT_FOUND", "CHAIN_UNAVAILABLE", "NOT_DEPLOYED"),
)
def get_passkey_of_account(
    address: Annotated[str, Path(pattern="^0x[0-9a-fA-F]{40}$")], state: State, session: DbSession
) -> PasskeyOut:
    """A passkey account's public facts: its credential id and public key, its factory,
    and whether it is deployed yet."""
    found = passkey_of_account(session, Web3.to_checksum_address(address))
    return _passkey_out(state, found)


@router.get(
    "/v1/passkeys/credentials/{credential_id}",
    response_model=PasskeyOut,
    responses=error_responses("PASSKEY_NOT_FOUND", "CHAIN_UNAVAILABLE", "NOT_DEPLOYED"),
)
def get_passkey_of_credential(
    credential_id: Annotated[str, Path(max_length=400, pattern="^[A-Za-z0-9_-]+$")],
    state: State,
    session: DbSession,
) -> PasskeyOut:
    """The same facts found by credential id: a device that has the passkey but not the
    account's address (a new phone after a sync) learns it here."""
    return _passkey_out(state, passkey_of_credential(session, credential_id))


@router.get(
    "/v1/practice/checkins",
    response_model=PracticeCheckinsOut,
    responses=error_responses("NOT_SIGNED_IN", "NOT_A_DENTIST", "DENTIST_INACTIVE"),
)
def get_checkins(
    wallet: SignedInWallet, state: State, session: DbSession, response: Response
) -> PracticeCheckinsOut:
    """The signed-in practice's check-in code and the last day's check-ins: reception
    finds the patient by the code on their phone and attests the visit for the account.
    A practice's system signs in with its visit-signing key to read them too."""
    now = state.clock()
    practice = practice_read_by(session, wallet=wallet.wallet, now=now)
    code = practice_code(session, dentist=practice.address, now=now)
    found = checkins_today(session, dentist=practice.address, now=now)
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return PracticeCheckinsOut(
        code=code,
        checkins=[
            CheckinOut(code=c.code, account=c.account, checkedInAt=c.checked_in_at) for c in found
        ],
    )
