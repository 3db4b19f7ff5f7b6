// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IAnonymousReviews
 * @notice Anonymous verified reviews: a patient proves with Semaphore v4 that they belong to a practice's group
 * of attested patients, without saying which member they are, and the review's digest is anchored with a reward
 * to a fresh address.
 *
 * A practice's group holds the Semaphore identity commitments of its attested patients. The service builds the
 * group's LeanIMT off-chain and the relayer commits its root here ({commitGroupRoots}); a root stays usable for
 * {rootValidity} seconds after a newer one replaces it, the latest root always. Reviews of a practice open once
 * its latest group has at least {minGroupSize} members.
 *
 * A proof's scope is `uint256(keccak256(abi.encode(dentist, period)))`, so one identity gets one nullifier, and
 * so one anonymous review, per practice and period (`block.timestamp / periodLength`). Its message is
 * `uint256(keccak256(abi.encode(digest, rewardTo)))`: the proof binds the review's digest and the reward address,
 * so a relayer can change neither. Scope and message enter the verifier as Semaphore hashes them,
 * `uint256(keccak256(abi.encodePacked(x))) >> 8`.
 *
 * The reward is the registry's `rewardAmount`, minted to `rewardTo`, within the registry's per-dentist daily
 * limit (counted here, apart from the registry's own reviews) and this contract's own daily cap. Past a bound the
 * review is still anchored, unrewarded, and {AnonymousRewardWithheld} says which bound.
 */
interface IAnonymousReviews {
    /**
     * @notice An anonymous review as the relayer submits it, with the Semaphore proof's public values.
     * @param dentist The reviewed practice's wallet (registered in the registry).
     * @param period The review period the proof's scope names (`block.timestamp / periodLength`).
     * @param merkleTreeRoot The group root the proof was made against, committed for `dentist`.
     * @param merkleTreeDepth The depth of the tree the proof was made for (1..32).
     * @param nullifier The proof's nullifier: one per identity, practice and period.
     * @param digest The review's digest (an EIP-712 hash computed off-chain); the text stays off-chain.
     * @param rewardTo The address paid the reward, or the zero address for no reward.
     */
    struct AnonymousReview {
        address dentist;
        uint256 period;
        uint256 merkleTreeRoot;
        uint256 merkleTreeDepth;
        uint256 nullifier;
        bytes32 digest;
        address rewardTo;
    }

    /// @notice Why a review was anchored without its reward.
    enum WithheldReason {
        // `rewardTo` is the zero address, or the registry's reward amount is zero.
        NoRecipient,
        // The practice reached the registry's `dentistDailyRewardLimit` of anonymous rewards today.
        DentistDailyLimit,
        // This contract's `dailyRewardCap` would be exceeded today.
        DailyCap
    }

    /**
     * @notice Emitted for each group root committed.
     * @param dentist The practice whose group the root is.
     * @param root The LeanIMT root of the group's identity commitments.
     * @param size The number of members in the group.
     */
    event GroupRootCommitted(address indexed dentist, uint256 indexed root, uint256 size);

    /**
     * @notice Emitted when an anonymous review was anchored.
     * @param dentist The reviewed practice.
     * @param period The review period.
     * @param nullifier The proof's nullifier, now used.
     * @param digest The anchored review digest.
     * @param rewardTo The address named for the reward.
     * @param rewarded Whether the reward was minted to `rewardTo`.
     */
    event AnonymousReviewAnchored(
        address indexed dentist,
        uint256 indexed period,
        uint256 nullifier,
        bytes32 indexed digest,
        address rewardTo,
        bool rewarded
    );

    /**
     * @notice Emitted, before {AnonymousReviewAnchored}, when a review was anchored without its reward.
     * @param digest The anchored review digest.
     * @param reason The bound that withheld the reward.
     */
    event AnonymousRewardWithheld(bytes32 indexed digest, WithheldReason reason);

    /**
     * @notice Emitted when the time a replaced root stays usable changed.
     * @param previousValidity The former validity, in seconds.
     * @param newValidity The new validity, in seconds.
     */
    event RootValidityChanged(uint256 previousValidity, uint256 newValidity);

    /**
     * @notice Emitted when the smallest group that opens a practice to anonymous reviews changed.
     * @param previousSize The former minimum.
     * @param newSize The new minimum.
     */
    event MinGroupSizeChanged(uint256 previousSize, uint256 newSize);

    /**
     * @notice Emitted when the length of a review period changed.
     * @param previousLength The former length, in seconds.
     * @param newLength The new length, in seconds.
     */
    event PeriodLengthChanged(uint256 previousLength, uint256 newLength);

    /**
     * @notice Emitted when the maximum minted per day for anonymous reviews changed.
     * @param previousCap The former cap, in token units.
     * @param newCap The new cap, in token units.
     */
    event DailyRewardCapChanged(uint256 previousCap, uint256 newCap);

    /**
     * @notice Thrown when an address argument is the zero address.
     */
    error ZeroAddress();

    /**
     * @notice Thrown when the arrays given to {commitGroupRoots} differ in length.
     */
    error LengthMismatch();

    /**
     * @notice Thrown when a committed root is zero or its group has no member.
     * @param dentist The practice.
     * @param root The root given.
     * @param size The size given.
     */
    error InvalidGroupRoot(address dentist, uint256 root, uint256 size);

    /**
     * @notice Thrown when a setting is outside its range (a zero period length or minimum group size).
     */
    error InvalidSetting();

    /**
     * @notice Thrown when the reviewed dentist is not active in the registry.
     * @param dentist The dentist's wallet.
     */
    error DentistNotActive(address dentist);

    /**
     * @notice Thrown when the proof's root was never committed for this practice.
     * @param dentist The practice.
     * @param root The proof's root.
     */
    error UnknownGroupRoot(address dentist, uint256 root);

    /**
     * @notice Thrown when the proof's root was replaced more than {rootValidity} seconds ago.
     * @param dentist The practice.
     * @param root The proof's root.
     * @param replacedAt When a newer root replaced it.
     */
    error GroupRootExpired(address dentist, uint256 root, uint256 replacedAt);

    /**
     * @notice Thrown when the proof's group, or the practice's latest group, has fewer than {minGroupSize} members.
     * @param dentist The practice.
     * @param size The smaller of the two sizes.
     * @param minimum The minimum.
     */
    error GroupTooSmall(address dentist, uint256 size, uint256 minimum);

    /**
     * @notice Thrown when the review's period is neither the current nor the previous one.
     * @param period The review's period.
     * @param current The current period.
     */
    error PeriodNotOpen(uint256 period, uint256 current);

    /**
     * @notice Thrown when the nullifier was already used: this identity already reviewed this practice this period.
     * @param nullifier The nullifier.
     */
    error NullifierAlreadyUsed(uint256 nullifier);

    /**
     * @notice Thrown when the digest is already anchored.
     * @param digest The digest.
     */
    error DigestAlreadyAnchored(bytes32 digest);

    /**
     * @notice Thrown when the tree depth is outside Semaphore's 1..32.
     * @param depth The depth given.
     */
    error MerkleTreeDepthNotSupported(uint256 depth);

    /**
     * @notice Thrown when the verifier refuses the proof for these public values.
     */
    error InvalidProof();

    /**
     * @notice Commits the latest group root of each practice listed.
     * @dev Only callable by `RELAYER_ROLE`, when not paused. The previous latest root of each practice stays
     * usable for {rootValidity} seconds from now. Emits {GroupRootCommitted} for each.
     * @param dentists The practices.
     * @param roots Each practice's new LeanIMT root.
     * @param sizes Each group's number of members.
     */
    function commitGroupRoots(address[] calldata dentists, uint256[] calldata roots, uint32[] calldata sizes)
        external;

    /**
     * @notice Verifies a Semaphore proof of membership in the practice's group, records its nullifier, anchors
     * the review's digest and pays the reward to `review.rewardTo` within the daily bounds.
     * @dev Only callable by `RELAYER_ROLE`, when not paused. The proof's points are laid out as Semaphore's
     * `SemaphoreProof.points`: a.x, a.y, b.x[0..1], b.y[0..1], c.x, c.y. Emits {AnonymousReviewAnchored}, after
     * {AnonymousRewardWithheld} when the reward was withheld.
     * @param review The review and the proof's public values.
     * @param points The Groth16 proof.
     */
    function submitAnonymousReview(AnonymousReview calldata review, uint256[8] calldata points) external;

    /**
     * @notice Sets how long a replaced root stays usable.
     * @dev Only callable by `DEFAULT_ADMIN_ROLE`. Applies to roots already replaced too. Emits
     * {RootValidityChanged}.
     * @param validity Seconds.
     */
    function setRootValidity(uint256 validity) external;

    /**
     * @notice Sets the smallest group that opens a practice to anonymous reviews.
     * @dev Only callable by `DEFAULT_ADMIN_ROLE`. Emits {MinGroupSizeChanged}.
     * @param size Members; at least 1.
     */
    function setMinGroupSize(uint256 size) external;

    /**
     * @notice Sets the length of a review period.
     * @dev Only callable by `DEFAULT_ADMIN_ROLE`. Renumbers the periods, and so the scopes: proofs made for the
     * old numbering are refused. Emits {PeriodLengthChanged}.
     * @param length Seconds; at least 1.
     */
    function setPeriodLength(uint256 length) external;

    /**
     * @notice Sets the maximum minted per day for anonymous reviews.
     * @dev Only callable by `DEFAULT_ADMIN_ROLE`. Emits {DailyRewardCapChanged}.
     * @param cap Token units.
     */
    function setDailyRewardCap(uint256 cap) external;

    /**
     * @notice Pauses root commits and anonymous reviews.
     * @dev Only callable by `DEFAULT_ADMIN_ROLE`.
     */
    function pause() external;

    /**
     * @notice Ends a pause.
     * @dev Only callable by `DEFAULT_ADMIN_ROLE`.
     */
    function unpause() external;

    /**
     * @notice The role allowed to commit roots and submit reviews: the service's operator account.
     * @return The role's identifier, `keccak256("RELAYER_ROLE")`.
     */
    function RELAYER_ROLE() external view returns (bytes32);

    /**
     * @notice The Semaphore v4 verifier.
     * @return The verifier's address.
     */
    function verifier() external view returns (address);

    /**
     * @notice The review registry whose dentists, reward amount and per-dentist limit apply.
     * @return The registry's address.
     */
    function registry() external view returns (address);

    /**
     * @notice The token the rewards are minted in.
     * @return The token's address.
     */
    function rewardToken() external view returns (address);

    /**
     * @notice Seconds a replaced root stays usable.
     * @return The validity.
     */
    function rootValidity() external view returns (uint256);

    /**
     * @notice The smallest latest group that opens a practice to anonymous reviews.
     * @return The minimum number of members.
     */
    function minGroupSize() external view returns (uint256);

    /**
     * @notice The length of a review period.
     * @return Seconds.
     */
    function periodLength() external view returns (uint256);

    /**
     * @notice The current review period.
     * @return `block.timestamp / periodLength`.
     */
    function currentPeriod() external view returns (uint256);

    /**
     * @notice The maximum minted per day for anonymous reviews.
     * @return Token units.
     */
    function dailyRewardCap() external view returns (uint256);

    /**
     * @notice A practice's latest committed group.
     * @param dentist The practice.
     * @return root The latest root, zero when none was committed.
     * @return size Its number of members.
     */
    function latestGroup(address dentist) external view returns (uint256 root, uint256 size);

    /**
     * @notice What is recorded of a root committed for a practice.
     * @param dentist The practice.
     * @param root The root.
     * @return committedAt When it was last committed, zero when never.
     * @return replacedAt When a newer root replaced it, zero while it is the latest.
     * @return size Its number of members.
     */
    function groupRoot(address dentist, uint256 root)
        external
        view
        returns (uint256 committedAt, uint256 replacedAt, uint256 size);

    /**
     * @notice Whether a proof made against `root` would be accepted for `dentist` now, as far as the root goes.
     * @param dentist The practice.
     * @param root The root.
     * @return True when the root is committed for the practice and not expired.
     */
    function isRootValid(address dentist, uint256 root) external view returns (bool);

    /**
     * @notice Whether a nullifier was used.
     * @param nullifier The nullifier.
     * @return True once a review with it was anchored.
     */
    function nullifierUsed(uint256 nullifier) external view returns (bool);

    /**
     * @notice When an anonymous review's digest was anchored.
     * @param digest The digest.
     * @return The block timestamp, zero when not anchored.
     */
    function anchoredAt(bytes32 digest) external view returns (uint64);

    /**
     * @notice Anonymous reviews of a practice rewarded today.
     * @param dentist The practice.
     * @return day Today's number (`block.timestamp / 1 days`).
     * @return rewarded The rewards counted against the registry's per-dentist limit today.
     */
    function dentistRewardedToday(address dentist) external view returns (uint256 day, uint256 rewarded);

    /**
     * @notice Token units minted today for anonymous reviews.
     * @return The amount.
     */
    function mintedToday() external view returns (uint256);
}
