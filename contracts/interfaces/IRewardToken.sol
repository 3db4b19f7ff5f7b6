// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/**
 * @title IRewardToken
 * @notice The ERC-20 token paid to patients for their reviews, minted by accounts holding `MINTER_ROLE`.
 */
interface IRewardToken is IERC20 {
    /// @notice Thrown when an account argument is the zero address.
    error ZeroAddress();

    /**
     * @notice The role allowed to mint tokens (granted to the review registry).
     * @return `keccak256("MINTER_ROLE")`.
     */
    function MINTER_ROLE() external view returns (bytes32);

    /**
     * @notice Creates `amount` tokens and assigns them to `to`.
     * @dev Only callable by accounts with `MINTER_ROLE`. Emits an {IERC20-Transfer} event from the zero address.
     * @param to Recipient of the new tokens.
     * @param amount Number of token units (18 decimals) to create.
     */
    function mint(address to, uint256 amount) external;
}
