// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReviewData, Visit} from "../types/RegistryTypes.sol";

/**
 * @title IRegistrySignatures
 * @notice The registry's EIP-712 typed data: the domain, the `Visit` and `Review` hashes, and who signed them.
 *
 * The domain is `{name: "DentaReview", version: "1", chainId, verifyingContract: <this registry>}`, and the
 * two signed types, which never change, are:
 *
 *     Visit(bytes32 visitId,address patient,address dentist,uint64 visitedAt)
 *     Review(bytes32 visitId,uint8 rating,uint8 treatment,uint8 bedside,uint8 waitTime,string text,uint64 deadline)
 *
 * A signature is accepted from an externally owned account by ECDSA, and from a smart-contract account
 * (such as a passkey account) by ERC-1271. A passkey account that is not deployed yet signs with the
 * ERC-6492 wrapper `abi.encode(factory, createAccount(qx, qy) calldata, signature) ‖ magic`, where `factory`
 * is {passkeyAccountFactory}: the registry checks it from the public key, without deploying the account.
 */
interface IRegistrySignatures {
    /**
     * @notice Thrown when the visit signature is not the dentist's: it does not recover to the dentist, and
     * the dentist's account, if a contract, does not accept it by ERC-1271.
     * @param recovered The address the signature recovers to by ECDSA; zero if it does not recover.
     */
    error InvalidVisitSignature(address recovered);

    /**
     * @notice Thrown when the review signature is not the visit patient's: it does not recover to `patient`,
     * and `patient`, if a contract account, does not accept it by ERC-1271.
     * @param recovered The address the signature recovers to by ECDSA; zero if it does not recover.
     * @param patient The visit's patient, who alone may sign its review.
     */
    error NotVisitPatient(address recovered, address patient);

    /**
     * @notice The EIP-712 type hash of `Visit`.
     * @return The keccak256 of the `Visit` type string.
     */
    function VISIT_TYPEHASH() external view returns (bytes32);

    /**
     * @notice The EIP-712 type hash of `Review`.
     * @return The keccak256 of the `Review` type string.
     */
    function REVIEW_TYPEHASH() external view returns (bytes32);

    /**
     * @notice The EIP-712 domain separator of this registry on the current chain.
     * @return The separator of the domain `{name: "DentaReview", version: "1", chainId, verifyingContract}`.
     */
    function domainSeparator() external view returns (bytes32);

    /**
     * @notice The EIP-712 `hashStruct` of `visit`.
     * @param visit The visit attestation.
     * @return structHash `keccak256(abi.encode(VISIT_TYPEHASH, visit))`.
     */
    function hashVisit(Visit calldata visit) external pure returns (bytes32 structHash);

    /**
     * @notice The EIP-712 `hashStruct` of the `Review` of `visitId` with the members of `review`.
     * @param visitId The reviewed visit.
     * @param review The review members, the text replaced by its hash.
     * @return structHash `keccak256(abi.encode(REVIEW_TYPEHASH, visitId, review))`.
     */
    function hashReview(bytes32 visitId, ReviewData calldata review) external pure returns (bytes32 structHash);

    /**
     * @notice The full EIP-712 digest of the `Review` of `visitId`: what the patient signs and what is anchored.
     * @param visitId The reviewed visit.
     * @param review The review members, the text replaced by its hash.
     * @return The digest `keccak256("\x19\x01" ‖ domainSeparator ‖ hashReview(visitId, review))`.
     */
    function reviewDigest(bytes32 visitId, ReviewData calldata review) external view returns (bytes32);

    /**
     * @notice The full EIP-712 digest of `visit`: what the dentist signs.
     * @param visit The visit attestation.
     * @return The digest `keccak256("\x19\x01" ‖ domainSeparator ‖ hashVisit(visit))`.
     */
    function visitDigest(Visit calldata visit) external view returns (bytes32);

    /**
     * @notice The factory of passkey accounts whose ERC-6492 signatures this registry checks before the
     * account is deployed; deployed by the registry's constructor.
     * @return The factory's address.
     */
    function passkeyAccountFactory() external view returns (address);

    /**
     * @notice Whether `signer` signed `hash`, as the registry checks every signature: ECDSA for an externally
     * owned account, ERC-1271 for a contract account, and ERC-6492 for a passkey account of
     * {passkeyAccountFactory} not deployed yet.
     * @param signer The account that claims the signature.
     * @param hash The signed digest.
     * @param signature The signature.
     * @return True if `signer` signed `hash`.
     */
    function isValidSignatureNow(address signer, bytes32 hash, bytes calldata signature) external view returns (bool);
}
