// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IRegistryVisitSigners
 * @notice Visit-signing keys: a key that a dentist's wallet authorises once, after which the `Visit`s it signs
 * count as the dentist's, so a practice's own system attests visits with no wallet prompt for each.
 *
 * The dentist signs, in the registry's EIP-712 domain,
 *
 *     VisitSigner(address signer,uint64 validUntil,uint256 nonce)
 *
 * and anyone (the service's relayer) submits it with {setVisitSigner}. The key then speaks for that dentist
 * alone, and only for visits with `visitedAt <= validUntil`: a new authorisation with `validUntil` set to the
 * present revokes the key at once for every later visit while its earlier visits stay reviewable, and
 * `validUntil` 0 voids all of them. A key's visits are bounded by the dentist's own limits (its daily reward
 * limit) and end with the dentist's registration.
 */
interface IRegistryVisitSigners {
    /**
     * @notice Emitted when a dentist authorised, changed or revoked a visit-signing key.
     * @param dentist The dentist the key speaks for.
     * @param signer The key's address.
     * @param validUntil The last `visitedAt` the key may attest; 0 for none.
     * @param nonce The dentist's authorisation nonce the signature used.
     */
    event VisitSignerSet(address indexed dentist, address indexed signer, uint64 validUntil, uint256 nonce);

    /**
     * @notice Thrown when the authorisation is not the dentist's signature of the `VisitSigner` with the
     * dentist's current nonce.
     * @param recovered The address the signature recovers to by ECDSA; zero if it does not recover.
     */
    error InvalidVisitSignerAuthorization(address recovered);

    /**
     * @notice Thrown when the key is the zero address, the dentist itself, or already speaks for another dentist.
     * @param signer The key's address.
     */
    error VisitSignerNotAvailable(address signer);

    /**
     * @notice The EIP-712 type hash of `VisitSigner`.
     * @return The keccak256 of the `VisitSigner` type string.
     */
    function VISIT_SIGNER_TYPEHASH() external view returns (bytes32);

    /**
     * @notice Authorises, changes or revokes `signer` as `dentist`'s visit-signing key, as the dentist signed.
     * @param dentist The dentist whose wallet signed the authorisation.
     * @param signer The key's address.
     * @param validUntil The last `visitedAt` the key may attest; 0 for none.
     * @param signature The dentist's EIP-712 signature of the `VisitSigner`.
     */
    function setVisitSigner(address dentist, address signer, uint64 validUntil, bytes calldata signature) external;

    /**
     * @notice The nonce the dentist's next `VisitSigner` must be signed with.
     * @param dentist The dentist's wallet.
     * @return The count of authorisations the dentist made so far.
     */
    function visitSignerNonce(address dentist) external view returns (uint256);

    /**
     * @notice Whom a visit-signing key speaks for, and until which visit time.
     * @param signer The key's address.
     * @return dentist The dentist; zero if the key was never authorised.
     * @return validUntil The last `visitedAt` the key may attest.
     */
    function visitSignerOf(address signer) external view returns (address dentist, uint64 validUntil);
}
