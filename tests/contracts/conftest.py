"""Fresh RewardToken + ReviewRegistry deployments on the session's Anvil node."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from tests.contracts.helpers import System, deploy_system


@pytest.fixture
def system(w3: Web3, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount) -> System:
    """A fresh deployment per test, so no test sees another's state."""
    return deploy_system(w3, admin, relayer, dentist)
