// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DentistStatus} from "../types/RegistryTypes.sol";

/**
 * @title IRegistryAdmin
 * @notice Administration of the registry: dentists, the reward settings, the pause and the relayer's role.
 *
 * `DEFAULT_ADMIN_ROLE` (ideally a multisig) registers dentists, sets the reward and pauses; `RELAYER_ROLE`, the
 * service's operator account, makes every other write.
 */
interface IRegistryAdmin {
    /**
     * @notice Emitted when a dentist was registered, or reactivated, and may attest visits.
     * @param dentist The dentist's wallet.
     */
    event DentistRegistered(address indexed dentist);

    /**
     * @notice Emitted when a dentist was deactivated; reviews of its visits are refused until it is registered
     * again.
     * @param dentist The dentist's wallet.
     */
    event DentistDeactivated(address indexed dentist);

    /**
     * @notice Emitted when the reward per rewarded review changed.
     * @param previousAmount The former reward, in token units.
     * @param newAmount The new reward, in token units.
     */
    event RewardAmountChanged(uint256 previousAmount, uint256 newAmount);

    /**
     * @notice Emitted when the maximum minted per day changed.
     * @param previousCap The former cap, in token units.
     * @param newCap The new cap, in token units.
     */
    event DailyRewardCapChanged(uint256 previousCap, uint256 newCap);

    /**
     * @notice Emitted when the maximum rewarded reviews per dentist per day changed.
     * @param previousLimit The former limit.
     * @param newLimit The new limit.
     */
    event DentistDailyRewardLimitChanged(uint256 previousLimit, uint256 newLimit);

    /**
     * @notice Thrown when an address argument is the zero address.
     */
    error ZeroAddress();

    /**
     * @notice Thrown when deactivating a dentist that is not active.
     * @param dentist The dentist's wallet.
     */
    error DentistNotRegistered(address dentist);

    /**
     * @notice Registers `dentist`, or reactivates it if it was deactivated.
     * @dev Only `DEFAULT_ADMIN_ROLE`. Emits {DentistRegistered}. Reverts with {ZeroAddress} for the zero address.
     * @param dentist The dentist's wallet.
     */
    function registerDentist(address dentist) external;

    /**
     * @notice Deactivates an active dentist; visits it attested can no longer be reviewed.
     * @dev Only `DEFAULT_ADMIN_ROLE`. Emits {DentistDeactivated}. Reverts with {DentistNotRegistered} if
     * `dentist` is not active.
     * @param dentist The dentist's wallet.
     */
    function deactivateDentist(address dentist) external;

    /**
     * @notice Sets the token units paid per rewarded review.
     * @dev Only `DEFAULT_ADMIN_ROLE`. Emits {RewardAmountChanged}. Must fit in 96 bits.
     * @param amount The new reward, in token units (18 decimals).
     */
    function setRewardAmount(uint256 amount) external;

    /**
     * @notice Sets the maximum token units minted per day, by reviews and queued payments together.
     * @dev Only `DEFAULT_ADMIN_ROLE`. Emits {DailyRewardCapChanged}. Applies to the current day at once.
     * @param cap The new cap, in token units. Must fit in 96 bits.
     */
    function setDailyRewardCap(uint256 cap) external;

    /**
     * @notice Sets the maximum rewarded reviews per dentist per day; reviews beyond it are anchored unrewarded.
     * @dev Only `DEFAULT_ADMIN_ROLE`. Emits {DentistDailyRewardLimitChanged}. Applies to the current day at once.
     * @param limit The new limit.
     */
    function setDentistDailyRewardLimit(uint8 limit) external;

    /**
     * @notice Stops every relayer write: reviews, queued rewards, batches, payouts and statements.
     * @dev Only `DEFAULT_ADMIN_ROLE`. Emits {Pausable-Paused}.
     */
    function pause() external;

    /**
     * @notice Resumes every relayer write.
     * @dev Only `DEFAULT_ADMIN_ROLE`. Emits {Pausable-Unpaused}.
     */
    function unpause() external;

    /**
     * @notice The role allowed to make every write but the administration: reviews, queued rewards, batches,
     * payouts and statements.
     * @return `keccak256("RELAYER_ROLE")`.
     */
    function RELAYER_ROLE() external view returns (bytes32);

    /**
     * @notice Registration state of `dentist`.
     * @param dentist The dentist's wallet.
     * @return The state; `Unregistered` for an unknown wallet.
     */
    function dentistStatus(address dentist) external view returns (DentistStatus);

    /**
     * @notice Maximum rewarded reviews per dentist per day.
     * @return The limit.
     */
    function dentistDailyRewardLimit() external view returns (uint256);

    /**
     * @notice The current day and how many rewarded reviews of `dentist`'s visits were anchored during it.
     * @param dentist The dentist's wallet.
     * @return day `block.timestamp / 1 days`.
     * @return rewarded Rewarded reviews counted against the dentist's daily limit today.
     */
    function dentistRewardedToday(address dentist) external view returns (uint256 day, uint256 rewarded);
}
