// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IPasskeyAccountFactory
 * @notice Creates {IPasskeyAccount}s at addresses fixed by their passkey's public key (CREATE2), so a patient's
 * account address is known, attested in visits and paid rewards before it is ever deployed.
 *
 * An account is deployed only when its patient first moves their reward. Until then the registry checks its
 * signatures here, from the public key that ERC-6492 wraps around them ({isValidSignatureOf}): a patient who
 * never moves their reward never costs a deployment.
 */
interface IPasskeyAccountFactory {
    /**
     * @notice Emitted when an account is deployed.
     * @param account The account's address, as {accountAddress} predicted it.
     * @param qx The x coordinate of the passkey's P-256 public key.
     * @param qy The y coordinate of the passkey's P-256 public key.
     */
    event AccountCreated(address indexed account, bytes32 qx, bytes32 qy);

    /**
     * @notice The address of the account of the passkey `(qx, qy)`, deployed or not.
     * @param qx The x coordinate of the passkey's public key.
     * @param qy The y coordinate of the passkey's public key.
     * @return The CREATE2 address of the account.
     */
    function accountAddress(bytes32 qx, bytes32 qy) external view returns (address);

    /**
     * @notice Deploys the account of the passkey `(qx, qy)` unless it exists; the ERC-6492 factory call.
     * @param qx The x coordinate of the passkey's public key.
     * @param qy The y coordinate of the passkey's public key.
     * @return account The account's address.
     */
    function createAccount(bytes32 qx, bytes32 qy) external returns (address account);

    /**
     * @notice Whether `signature` is the passkey `(qx, qy)`'s WebAuthn signature of `hash`, and `account` is
     * that passkey's account: the check of an account not yet deployed, without deploying it.
     * @param account The account that claims the signature.
     * @param qx The x coordinate of the passkey's public key.
     * @param qy The y coordinate of the passkey's public key.
     * @param hash The signed hash (the WebAuthn challenge).
     * @param signature The ABI-encoded `WebAuthn.WebAuthnAuth`.
     * @return True if both hold.
     */
    function isValidSignatureOf(
        address account,
        bytes32 qx,
        bytes32 qy,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool);

    /**
     * @notice Deploys the passkey's account if needed, then makes its signed transfer: how a patient's first
     * transfer pays for the deployment in the same transaction.
     * @param qx The x coordinate of the passkey's public key.
     * @param qy The y coordinate of the passkey's public key.
     * @param token The ERC-20 token to send.
     * @param to The recipient.
     * @param amount Token units to send.
     * @param deadline Unix seconds after which the signature is void.
     * @param signature The passkey's signature of the account's `Transfer`.
     */
    function createAndTransfer(
        bytes32 qx,
        bytes32 qy,
        address token,
        address to,
        uint256 amount,
        uint64 deadline,
        bytes calldata signature
    ) external;
}
