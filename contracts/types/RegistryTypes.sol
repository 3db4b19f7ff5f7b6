// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The data types of the review registry's interfaces, declared at file level (as Uniswap v4-core's
// `src/types/`) so that every concern interface can use them without depending on another.

/// @notice Registration state of a dentist's wallet.
enum DentistStatus {
    Unregistered,
    Active,
    Inactive
}

/**
 * @notice A dentist's registration and its rewarded reviews of one day, in one storage slot.
 * @param status Registration state.
 * @param rewardDay The day (`block.timestamp / 1 days`) that `rewardedThatDay` counts.
 * @param rewardedThatDay Rewarded reviews of this dentist's visits anchored on `rewardDay`.
 */
struct DentistRecord {
    DentistStatus status;
    uint32 rewardDay;
    uint32 rewardedThatDay;
}

/**
 * @notice A visit attestation, signed by `dentist`: the EIP-712 type
 * `Visit(bytes32 visitId,address patient,address dentist,uint64 visitedAt)`, member for member.
 * @param visitId 32 random bytes chosen by the practice; carries no personal data.
 * @param patient The patient's wallet, which alone may review the visit.
 * @param dentist The attesting dentist's wallet.
 * @param visitedAt Unix time of the visit.
 */
struct Visit {
    bytes32 visitId;
    address patient;
    address dentist;
    uint64 visitedAt;
}

/**
 * @notice The members of a signed `Review`, except `visitId` (taken from the {Visit}) and with the text
 * replaced by its hash.
 * @param rating Overall rating, 1..5.
 * @param treatment Treatment quality rating, 1..5.
 * @param bedside Bedside manner rating, 1..5.
 * @param waitTime Waiting time rating, 1..5.
 * @param textHash `keccak256(bytes(text))` of the review text.
 * @param deadline Unix time after which the signature is void.
 */
struct ReviewData {
    uint8 rating;
    uint8 treatment;
    uint8 bedside;
    uint8 waitTime;
    bytes32 textHash;
    uint64 deadline;
}

/**
 * @notice The anchoring record of a batch root.
 * @param anchoredAt Timestamp of the block that anchored the root; 0 if never anchored.
 * @param size Number of reviews (leaves) in the batch.
 * @param rewarded How many of them earn a reward; each added `rewardAmount` to the reward credit.
 */
struct Batch {
    uint64 anchoredAt;
    uint32 size;
    uint32 rewarded;
}

/**
 * @notice A visit-signing key's authorisation.
 * @param dentist The dentist the key speaks for.
 * @param validUntil The last `visitedAt` the key may attest.
 */
struct VisitSignerGrant {
    address dentist;
    uint64 validUntil;
}
