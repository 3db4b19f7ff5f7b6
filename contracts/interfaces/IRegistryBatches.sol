// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Batch} from "../types/RegistryTypes.sol";

/**
 * @title IRegistryBatches
 * @notice Batch mode, for scale and privacy: one Merkle root anchors a whole batch of reviews.
 *
 * The root is built like OpenZeppelin's `StandardMerkleTree` with leaf type `bytes32` over the review digests,
 * so anyone checks a review's membership with {isReviewInBatch} (or `MerkleProof.verify` off-chain). A batch
 * names no patient and no dentist. The registry does not see the signatures of batched reviews: auditors
 * verify them off-chain against the proof. Rewards of batched reviews accrue as a credit of `rewardAmount`
 * per rewarded review at anchoring time, paid by {IRegistryPayouts-payRewards}.
 */
interface IRegistryBatches {
    /**
     * @notice Emitted when a batch of reviews was anchored as one Merkle root.
     * @param root The root of the batch's `StandardMerkleTree` of review digests.
     * @param size Number of reviews in the batch.
     * @param rewarded Number of rewarded reviews in the batch.
     * @param rewardCredit Token units added to the reward credit (`rewarded * rewardAmount`).
     */
    event BatchAnchored(bytes32 indexed root, uint256 size, uint256 rewarded, uint256 rewardCredit);

    /**
     * @notice Thrown when the root was already anchored.
     * @param root The batch root.
     */
    error BatchAlreadyAnchored(bytes32 root);

    /**
     * @notice Thrown when the batch is malformed: a zero root, no reviews, or more rewarded reviews than reviews.
     */
    error InvalidBatch();

    /**
     * @notice Anchors the Merkle root of a batch of reviews and credits the rewards it earned.
     * @dev Only `RELAYER_ROLE`, when not paused. Emits {BatchAnchored}. Reverts with {InvalidBatch} if `root` is
     * zero, `size` is zero or `rewarded > size`, and with {BatchAlreadyAnchored} if `root` was anchored before.
     * Adds `rewarded * rewardAmount` to {IRegistryPayouts-batchRewardCredit}. Neither signatures nor the leaves
     * are checked here: the root is the relayer's commitment, which auditors check off-chain.
     * @param root Root of the `StandardMerkleTree` (leaf type `bytes32`) of the batch's review digests.
     * @param size Number of reviews in the batch.
     * @param rewarded Number of the batch's reviews that earn a reward.
     */
    function anchorBatch(bytes32 root, uint32 size, uint32 rewarded) external;

    /**
     * @notice The anchoring record of `root`.
     * @param root A batch root.
     * @return The record; all zero if the root was never anchored.
     */
    function batchOf(bytes32 root) external view returns (Batch memory);

    /**
     * @notice Whether the review `digest` is a leaf of the anchored batch `root`, by `proof`.
     * @dev False if `root` was never anchored. Uses OpenZeppelin `MerkleProof.verifyCalldata` on the leaf
     * {reviewLeaf}(`digest`).
     * @param root An anchored batch root.
     * @param digest The review's EIP-712 digest.
     * @param proof The sibling hashes from the leaf up to the root.
     * @return True if `root` is anchored and `proof` proves the leaf of `digest` under it.
     */
    function isReviewInBatch(bytes32 root, bytes32 digest, bytes32[] calldata proof) external view returns (bool);

    /**
     * @notice The `StandardMerkleTree` leaf of a review digest.
     * @param digest The review's EIP-712 digest.
     * @return `keccak256(bytes.concat(keccak256(abi.encode(digest))))`.
     */
    function reviewLeaf(bytes32 digest) external pure returns (bytes32);
}
