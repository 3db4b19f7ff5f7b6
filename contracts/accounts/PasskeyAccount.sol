// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignerP256} from "@openzeppelin/contracts/utils/cryptography/signers/SignerP256.sol";
import {SignerWebAuthn} from "@openzeppelin/contracts/utils/cryptography/signers/SignerWebAuthn.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IPasskeyAccount} from "../interfaces/IPasskeyAccount.sol";

/**
 * @title PasskeyAccount
 * @notice A patient's account, controlled by one WebAuthn passkey. See {IPasskeyAccount}.
 * @dev OpenZeppelin's {SignerWebAuthn} checks the assertion (challenge, type, user presence and verification,
 * then P-256 through the EIP-7951 precompile where the chain has it). The key never changes: the address
 * derives from it ({PasskeyAccountFactory}), so the key is the account's identity.
 */
contract PasskeyAccount is IPasskeyAccount, SignerWebAuthn, EIP712, Nonces {
    using SafeERC20 for IERC20;

    /// @inheritdoc IPasskeyAccount
    bytes32 public constant TRANSFER_TYPEHASH =
        keccak256("Transfer(address token,address to,uint256 amount,uint256 nonce,uint64 deadline)");

    /**
     * @notice Deploys the account of the passkey `(qx, qy)`; {PasskeyAccountFactory} does, at a CREATE2 address.
     * @param qx The x coordinate of the passkey's P-256 public key.
     * @param qy The y coordinate of the passkey's P-256 public key.
     */
    constructor(bytes32 qx, bytes32 qy) SignerP256(qx, qy) EIP712("DentaReview Passkey Account", "1") {}

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        return _rawSignatureValidation(hash, signature) ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    /// @inheritdoc IPasskeyAccount
    function transferNonce() external view returns (uint256) {
        return nonces(address(this));
    }

    /// @inheritdoc IPasskeyAccount
    function transferSigned(
        address token,
        address to,
        uint256 amount,
        uint64 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert TransferExpired(deadline);
        uint256 nonce = _useNonce(address(this));
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(TRANSFER_TYPEHASH, token, to, amount, nonce, deadline)));
        if (!_rawSignatureValidation(digest, signature)) revert InvalidTransferSignature();
        emit TransferSent(token, to, amount, nonce);
        IERC20(token).safeTransfer(to, amount);
    }
}
