"""The contract suite runs on two independent EVMs: Anvil and py-evm (eth-tester).

`w3` here is one of them per test (ids [anvil] and [py-evm]); no test sees another's
state: on Anvil each test deploys afresh; py-evm (20-50 transactions a second) deploys
once and each test starts from a snapshot taken right after. Moving the clock goes
through `evm.advance_time`, which both support.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from eth_tester import EthereumTester
from web3 import Web3

from tests.contracts.evm import ANVIL, EVMS, PYEVM, pyevm_web3
from tests.contracts.helpers import System, deploy_system
from tests.support.anvil import AnvilNode


@dataclass(frozen=True)
class DeployedPyEvm:
    tester: EthereumTester
    system: System
    snapshot: int


@pytest.fixture(scope="session")
def pyevm_deployed(
    admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> DeployedPyEvm:
    w3 = pyevm_web3()
    system = deploy_system(w3, admin, relayer, dentist)
    tester: EthereumTester = w3.provider.ethereum_tester  # type: ignore[attr-defined]
    return DeployedPyEvm(tester, system, tester.take_snapshot())


@pytest.fixture(params=EVMS)
def w3(request: pytest.FixtureRequest) -> Web3:
    """Anvil: the session's node. py-evm: its chain as it was right after the deployment."""
    if request.param == ANVIL:
        node: AnvilNode = request.getfixturevalue("anvil")
        return Web3(Web3.HTTPProvider(node.rpc_url))
    deployed: DeployedPyEvm = request.getfixturevalue("pyevm_deployed")
    deployed.tester.revert_to_snapshot(deployed.snapshot)
    return deployed.system.w3


@pytest.fixture
def system(
    request: pytest.FixtureRequest,
    w3: Web3,
    admin: LocalAccount,
    relayer: LocalAccount,
    dentist: LocalAccount,
) -> System:
    """A fresh deployment for this test alone."""
    if request.node.callspec.params["w3"] == PYEVM:
        deployed: DeployedPyEvm = request.getfixturevalue("pyevm_deployed")
        return deployed.system
    return deploy_system(w3, admin, relayer, dentist)
