// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IRegistryPayouts
 * @notice The reward token, the daily cap on minting, and the payouts that the cap or batching defer.
 *
 * The reward is the same for every rewarded review, whatever its ratings. At most `dailyRewardCap` token
 * units are minted per UTC day (`block.timestamp / 1 days`); a single-mode review rewarded beyond the cap is
 * still anchored and its reward is queued for the patient, paid by {payQueuedReward} on a later day. Rewards of
 * batched reviews accrue as a credit and are paid in aggregate per patient by {payRewards}, within the credit
 * and the same daily cap.
 */
interface IRegistryPayouts {
    /**
     * @notice Emitted when the daily cap was reached, so a review's reward was queued for its patient.
     * @param patient The patient the reward is queued for.
     * @param amount Token units added to the patient's queued reward.
     */
    event RewardQueued(address indexed patient, uint256 amount);

    /**
     * @notice Emitted when the whole reward queued for a patient was minted to it.
     * @param patient The patient paid.
     * @param amount Token units minted.
     */
    event QueuedRewardPaid(address indexed patient, uint256 amount);

    /**
     * @notice Emitted when an aggregate reward payout was minted.
     * @param payoutId The payout's identifier, chosen by the relayer; never paid twice.
     * @param recipients Number of patients paid.
     * @param total Token units minted, counted against the reward credit and the daily cap.
     */
    event RewardsPaid(bytes32 indexed payoutId, uint256 recipients, uint256 total);

    /**
     * @notice Thrown when paying now would exceed today's cap.
     * @param remaining Token units that may still be minted today.
     */
    error DailyRewardCapReached(uint256 remaining);

    /**
     * @notice Thrown when no reward is queued for the patient.
     * @param patient The patient.
     */
    error NothingQueued(address patient);

    /**
     * @notice Thrown when the payout was already made.
     * @param payoutId The payout's identifier.
     */
    error PayoutAlreadyMade(bytes32 payoutId);

    /**
     * @notice Thrown when the payout names no patient, or its patients and amounts differ in number.
     */
    error InvalidPayout();

    /**
     * @notice Thrown when the payout asks for more than the reward credit holds.
     * @param credit Token units the reward credit holds.
     * @param requested Token units the payout asks for.
     */
    error InsufficientRewardCredit(uint256 credit, uint256 requested);

    /**
     * @notice Mints the whole reward queued for `patient`, if today's cap allows it.
     * @dev Only `RELAYER_ROLE`, when not paused. Emits {QueuedRewardPaid}. Reverts with {NothingQueued} if no
     * reward is queued, and with {DailyRewardCapReached} if the queued amount exceeds what remains of today's cap.
     * @param patient The patient to pay.
     * @return paid The token units minted.
     */
    function payQueuedReward(address patient) external returns (uint256 paid);

    /**
     * @notice Mints an aggregate payout of batch rewards: `amounts[i]` to `patients[i]`.
     * @dev Only `RELAYER_ROLE`, when not paused. Emits {RewardsPaid}. Reverts with {InvalidPayout},
     * {PayoutAlreadyMade} if `payoutId` was used before (so a resent payout never pays twice),
     * {InsufficientRewardCredit} if the total exceeds {batchRewardCredit}, and {DailyRewardCapReached} if it
     * exceeds what remains of today's cap.
     * @param payoutId An identifier the relayer never reuses (e.g. 32 random bytes).
     * @param patients The patients to pay.
     * @param amounts Token units for each patient.
     * @return total The token units minted.
     */
    function payRewards(
        bytes32 payoutId,
        address[] calldata patients,
        uint256[] calldata amounts
    ) external returns (uint256 total);

    /**
     * @notice The reward token, minted by this registry.
     * @return The token's address.
     */
    function rewardToken() external view returns (address);

    /**
     * @notice Token units paid per rewarded review.
     * @return The reward, in token units (18 decimals).
     */
    function rewardAmount() external view returns (uint256);

    /**
     * @notice Maximum token units minted per day.
     * @return The cap, in token units.
     */
    function dailyRewardCap() external view returns (uint256);

    /**
     * @notice The current day and the token units minted during it so far.
     * @return day `block.timestamp / 1 days`.
     * @return minted Token units minted today, by reviews and queued payments together.
     */
    function rewardedToday() external view returns (uint256 day, uint256 minted);

    /**
     * @notice Token units queued for `patient` because the daily cap was reached.
     * @param patient The patient.
     * @return The queued reward, in token units.
     */
    function queuedReward(address patient) external view returns (uint256);

    /**
     * @notice Token units credited by anchored batches and not yet paid by {payRewards}.
     * @return The reward credit, in token units.
     */
    function batchRewardCredit() external view returns (uint256);

    /**
     * @notice Whether the payout `payoutId` was made.
     * @param payoutId The payout's identifier.
     * @return True once {payRewards} paid it.
     */
    function isPayoutMade(bytes32 payoutId) external view returns (bool);
}
