// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {WebAuthn} from "@openzeppelin/contracts/utils/cryptography/WebAuthn.sol";
import {IPasskeyAccountFactory} from "../interfaces/IPasskeyAccountFactory.sol";
import {PasskeyAccount} from "./PasskeyAccount.sol";

/**
 * @title PasskeyAccountFactory
 * @notice Deploys {PasskeyAccount}s at CREATE2 addresses fixed by their passkey. See {IPasskeyAccountFactory}.
 * @dev The salt is the hash of the public key and the constructor arguments are the key, so one key has one
 * address, which no other key or code can take. The registry deploys this factory in its constructor.
 */
contract PasskeyAccountFactory is IPasskeyAccountFactory {
    /// @inheritdoc IPasskeyAccountFactory
    function accountAddress(bytes32 qx, bytes32 qy) public view returns (address) {
        return Create2.computeAddress(_salt(qx, qy), keccak256(_initCode(qx, qy)));
    }

    /// @inheritdoc IPasskeyAccountFactory
    function createAccount(bytes32 qx, bytes32 qy) public returns (address account) {
        account = accountAddress(qx, qy);
        if (account.code.length == 0) {
            emit AccountCreated(account, qx, qy);
            account = Create2.deploy(0, _salt(qx, qy), _initCode(qx, qy));
        }
    }

    /// @inheritdoc IPasskeyAccountFactory
    function isValidSignatureOf(
        address account,
        bytes32 qx,
        bytes32 qy,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool) {
        if (account != accountAddress(qx, qy)) return false;
        (bool decoded, WebAuthn.WebAuthnAuth calldata auth) = WebAuthn.tryDecodeAuth(signature);
        return decoded && WebAuthn.verify(abi.encodePacked(hash), auth, qx, qy);
    }

    /// @inheritdoc IPasskeyAccountFactory
    function createAndTransfer(
        bytes32 qx,
        bytes32 qy,
        address token,
        address to,
        uint256 amount,
        uint64 deadline,
        bytes calldata signature
    ) external {
        PasskeyAccount(createAccount(qx, qy)).transferSigned(token, to, amount, deadline, signature);
    }

    function _salt(bytes32 qx, bytes32 qy) private pure returns (bytes32) {
        return keccak256(abi.encode(qx, qy));
    }

    function _initCode(bytes32 qx, bytes32 qy) private pure returns (bytes memory) {
        return abi.encodePacked(type(PasskeyAccount).creationCode, abi.encode(qx, qy));
    }
}
