"""Which keys and which role layout a chain may be given.

Anvil's (and Hardhat's) development accounts come from the public mnemonic
"test test test test test test test test test test test junk": anyone holds their
keys. On a local development chain that is the point; on any other chain a
contract administered or relayed by one of them belongs to everyone. Outside a
local chain the admin (token and registry) must also be another account than the
relayer, so that the service's hot key cannot grant itself minting or unpause.
Both rules can be overridden, loudly, for a throwaway test network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from eth_utils.address import to_checksum_address

from dentareview.errors import UnsafeKeys

LOCAL_CHAIN_IDS: Final = frozenset({31337, 1337})  # Anvil and Hardhat; Ganache and geth --dev

# The first ten accounts of the public mnemonic, m/44'/60'/0'/0/0..9 (Anvil prints them).
ANVIL_DEV_KEYS: Final = (
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
)
ANVIL_DEV_ADDRESSES: Final = (
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
    "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
)
_DEV_KEYS: Final = frozenset(ANVIL_DEV_KEYS)
_DEV_ADDRESSES: Final = frozenset(ANVIL_DEV_ADDRESSES)
DEV_KEYS_OVERRIDE: Final = "--allow-dev-keys / DENTAREVIEW_ALLOW_DEV_KEYS=true"
SHARED_ADMIN_OVERRIDE: Final = "--allow-shared-admin / DENTAREVIEW_ALLOW_SHARED_ADMIN=true"


def is_local_chain(chain_id: int) -> bool:
    return chain_id in LOCAL_CHAIN_IDS


def is_dev_key(key: str) -> bool:
    return key.lower().removeprefix("0x") in _DEV_KEYS


def is_dev_address(address: str) -> bool:
    return to_checksum_address(address) in _DEV_ADDRESSES


def check_keys(
    chain_id: int,
    *,
    keys: Mapping[str, str],
    addresses: Mapping[str, str] | None = None,
    allow_dev_keys: bool,
) -> list[str]:
    """Refuse development keys (by role) and accounts on a non-local chain.

    Returns the warnings to show loudly when `allow_dev_keys` forces them through;
    raises UnsafeKeys otherwise. Never names a key, only its role.
    """
    if is_local_chain(chain_id):
        return []
    flagged = [role for role, key in keys.items() if is_dev_key(key)]
    flagged_accounts = {
        ANVIL_DEV_ADDRESSES[ANVIL_DEV_KEYS.index(keys[role].lower().removeprefix("0x"))]
        for role in flagged
    }
    problems = [
        f"the {role} key is a public development key (Anvil/Hardhat test mnemonic)"
        for role in flagged
    ]
    problems += [
        f"the {role} {address} is a public development account: anyone holds its key"
        for role, address in (addresses or {}).items()
        if is_dev_address(address) and to_checksum_address(address) not in flagged_accounts
    ]
    if not problems:
        return []
    summary = "; ".join(problems) + f" - on chain {chain_id}, which is not a local chain"
    if not allow_dev_keys:
        raise UnsafeKeys(f"{summary}. Use keys of your own (or force with {DEV_KEYS_OVERRIDE})")
    return [f"WARNING: {summary}; forced by {DEV_KEYS_OVERRIDE}: anyone can act as that role"]


def check_separation(
    chain_id: int, *, admin: str, relayer: str, allow_shared_admin: bool
) -> list[str]:
    """Refuse one account as both admin and relayer on a non-local chain."""
    if is_local_chain(chain_id) or to_checksum_address(admin) != to_checksum_address(relayer):
        return []
    summary = (
        f"the admin and the relayer are the same account {to_checksum_address(admin)} on "
        f"chain {chain_id}: the service's hot key could grant itself minting and unpause"
    )
    if not allow_shared_admin:
        raise UnsafeKeys(
            f"{summary}. Give the admin its own key (--admin-key-env, --admin-keystore) or "
            f"address (--admin, e.g. a Safe), or force with {SHARED_ADMIN_OVERRIDE}"
        )
    return [f"WARNING: {summary}; forced by {SHARED_ADMIN_OVERRIDE}"]
