// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IRewardToken} from "./interfaces/IRewardToken.sol";

/**
 * @title RewardToken
 * @notice "DentaReview Token" (DRT), the fixed reward for verified dental reviews.
 * @dev Plain OpenZeppelin ERC-20 with EIP-2612 permits. Supply grows only through {mint}, which is restricted
 * to `MINTER_ROLE` (granted to the ReviewRegistry at deployment). `DEFAULT_ADMIN_ROLE` manages the roles.
 */
contract RewardToken is IRewardToken, ERC20, ERC20Permit, AccessControl {
    /// @inheritdoc IRewardToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /**
     * @notice Deploys the token with no supply and gives `admin` the role administration.
     * @param admin Account granted `DEFAULT_ADMIN_ROLE`; it can grant `MINTER_ROLE`.
     */
    constructor(address admin) ERC20("DentaReview Token", "DRT") ERC20Permit("DentaReview Token") {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IRewardToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }
}
