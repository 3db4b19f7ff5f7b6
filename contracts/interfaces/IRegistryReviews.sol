// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReviewData, Visit} from "../types/RegistryTypes.sol";

/**
 * @title IRegistryReviews
 * @notice Single mode: one review per transaction, both of its signatures verified by the registry.
 *
 * A relayer submits the dentist's signed `Visit` and the patient's signed `Review`; the registry checks both
 * (see {IRegistrySignatures}), refuses a second review of the same visit, records the review's EIP-712 digest
 * and pays the reward. The review text never goes on-chain: the registry receives `keccak256(bytes(text))`,
 * which is exactly the value EIP-712 hashes for the `string` member.
 */
interface IRegistryReviews {
    /**
     * @notice Emitted when a review was verified and anchored.
     * @param digest The EIP-712 digest of the signed `Review`.
     * @param visitId The reviewed visit.
     * @param patient The patient who signed the review.
     * @param dentist The dentist who attested the visit.
     * @param reward Token units minted to the patient in this transaction (0 if not rewardable or queued).
     */
    event ReviewAnchored(
        bytes32 indexed digest,
        bytes32 indexed visitId,
        address indexed patient,
        address dentist,
        uint256 reward
    );

    /**
     * @notice Emitted when a dentist had reached its daily limit of rewarded reviews, so a review of its visit
     * was anchored unrewarded.
     * @param dentist The dentist who attested the visit.
     * @param patient The patient whose review went unrewarded.
     */
    event DentistRewardLimitReached(address indexed dentist, address indexed patient);

    /**
     * @notice Thrown when a rating is outside 1..5.
     */
    error InvalidRating();

    /**
     * @notice Thrown when the service accepted the review after its signature's deadline.
     * @param deadline The review's deadline, which `acceptedAt` exceeds.
     */
    error SignatureExpired(uint64 deadline);

    /**
     * @notice Thrown when the visit's dentist is not an active registered dentist.
     * @param dentist The visit's dentist.
     */
    error DentistNotActive(address dentist);

    /**
     * @notice Thrown when the visit already has an anchored review.
     * @param visitId The visit.
     */
    error VisitAlreadyReviewed(bytes32 visitId);

    /**
     * @notice Thrown when one account is both the patient and the dentist of the visit.
     * @param account The visit's patient and dentist.
     */
    error SelfReview(address account);

    /**
     * @notice Verifies a signed visit and its signed review, anchors the review digest and pays the reward.
     * @dev Only `RELAYER_ROLE`, when not paused. Reverts with {SelfReview}, {InvalidRating}, {SignatureExpired}
     * (when `acceptedAt > review.deadline`), {DentistNotActive}, {IRegistrySignatures-InvalidVisitSignature},
     * {VisitAlreadyReviewed} or {IRegistrySignatures-NotVisitPatient}.
     *
     * Each signature is checked by ECDSA for an externally owned account, and by ERC-1271 (OpenZeppelin
     * `SignatureChecker`) when the signer is a smart-contract account.
     *
     * The deadline protects the patient against a signature used long after it was given; the relayer attests
     * `acceptedAt`, when the service accepted the review, so a review accepted in time is still anchored after
     * an outage or a pause. The attestation is the relayer's word, recorded in calldata for auditors.
     *
     * If `rewardable`, the reward is minted to the patient when the dentist's daily limit and today's cap allow
     * it; past the dentist's limit no reward is paid ({DentistRewardLimitReached}); past the cap it is added to
     * {IRegistryPayouts-queuedReward} ({IRegistryPayouts-RewardQueued}). Always emits {ReviewAnchored}.
     * @param visit The visit attestation.
     * @param visitSignature The dentist's signature of `visit`: 65-byte `r ‖ s ‖ v`, or an ERC-1271 signature.
     * @param review The review members, the text replaced by its hash.
     * @param reviewSignature The patient's signature of the `Review`: 65-byte `r ‖ s ‖ v`, or ERC-1271.
     * @param rewardable Whether the off-chain policy grants this review a reward.
     * @param acceptedAt Unix time at which the service accepted the review; at most `review.deadline`.
     * @return digest The EIP-712 digest of the `Review`, as recorded.
     */
    function submitReview(
        Visit calldata visit,
        bytes calldata visitSignature,
        ReviewData calldata review,
        bytes calldata reviewSignature,
        bool rewardable,
        uint64 acceptedAt
    ) external returns (bytes32 digest);

    /**
     * @notice When the review with `digest` was anchored.
     * @param digest The review's EIP-712 digest.
     * @return Timestamp of the block that anchored it; 0 if never anchored.
     */
    function anchoredAt(bytes32 digest) external view returns (uint64);

    /**
     * @notice The digest of the review anchored for `visitId`.
     * @param visitId The visit.
     * @return The review's EIP-712 digest; 0 if the visit was not reviewed.
     */
    function reviewDigestOf(bytes32 visitId) external view returns (bytes32);

    /**
     * @notice Whether `visitId` already has an anchored review.
     * @param visitId The visit.
     * @return True once a review of the visit is anchored.
     */
    function isVisitReviewed(bytes32 visitId) external view returns (bool);
}
