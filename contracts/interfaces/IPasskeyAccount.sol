// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/**
 * @title IPasskeyAccount
 * @notice A patient's account controlled by one WebAuthn passkey (a P-256 key kept by the patient's device).
 *
 * The account answers ERC-1271 for the passkey's signatures, so the registry accepts the `Review` it signs
 * like any wallet's. A passkey signature of a 32-byte hash is a WebAuthn assertion whose challenge is that
 * hash, ABI-encoded as OpenZeppelin's `WebAuthn.WebAuthnAuth` with `s` in its low form; user verification
 * (the device's biometric or screen lock) is required.
 *
 * It holds the patient's rewards and sends them wherever the patient signs for: anyone (the service's
 * relayer) may submit a {transferSigned} the passkey signed, so the patient needs no ether. The signed
 * type, in the account's own EIP-712 domain `{name: "DentaReview Passkey Account", version: "1", chainId,
 * verifyingContract: <this account>}`, is:
 *
 *     Transfer(address token,address to,uint256 amount,uint256 nonce,uint64 deadline)
 */
interface IPasskeyAccount is IERC1271 {
    /**
     * @notice Emitted when the account sent tokens on its passkey's signature.
     * @param token The ERC-20 token sent.
     * @param to The recipient.
     * @param amount Token units sent.
     * @param nonce The transfer nonce the signature used.
     */
    event TransferSent(address indexed token, address indexed to, uint256 amount, uint256 nonce);

    /**
     * @notice Thrown when a transfer is submitted after its deadline.
     * @param deadline The signed deadline, in unix seconds.
     */
    error TransferExpired(uint64 deadline);

    /**
     * @notice Thrown when the transfer signature is not the passkey's signature of the `Transfer` with the
     * account's current nonce (a replayed or altered transfer lands here).
     */
    error InvalidTransferSignature();

    /**
     * @notice The EIP-712 type hash of `Transfer`.
     * @return The keccak256 of the `Transfer` type string.
     */
    function TRANSFER_TYPEHASH() external view returns (bytes32);

    /**
     * @notice The nonce the next {transferSigned} must be signed with.
     * @return The count of transfers made so far.
     */
    function transferNonce() external view returns (uint256);

    /**
     * @notice Sends `amount` of `token` to `to`, as the passkey signed.
     * @dev Uses the current {transferNonce}, so a signature is good for one transfer only.
     * @param token The ERC-20 token to send.
     * @param to The recipient.
     * @param amount Token units to send.
     * @param deadline Unix seconds after which the signature is void.
     * @param signature The passkey's WebAuthn signature of the `Transfer` digest.
     */
    function transferSigned(
        address token,
        address to,
        uint256 amount,
        uint64 deadline,
        bytes calldata signature
    ) external;
}
