// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title DentacoinStyleReviews
 * @notice Benchmark baseline only, never deployed: the 2017 pattern of one transaction per review that
 * stores the review on-chain and transfers the reward from a pre-funded pool. It checks no signature.
 */
contract DentacoinStyleReviews {
    ERC20 public immutable token;
    uint256 public immutable reward;
    address public immutable relayer;

    /// @notice The content hash of each patient's review of each dentist.
    mapping(address patient => mapping(address dentist => bytes32 contentHash)) public reviewOf;

    event ReviewSubmitted(address indexed patient, address indexed dentist, bytes32 contentHash);

    error NotRelayer();
    error AlreadyReviewed();

    constructor(ERC20 token_, uint256 reward_) {
        token = token_;
        reward = reward_;
        relayer = msg.sender;
    }

    /// @notice Stores the review and pays the patient from the pool.
    function submitReview(address patient, address dentist, bytes32 contentHash) external {
        if (msg.sender != relayer) revert NotRelayer();
        if (reviewOf[patient][dentist] != 0) revert AlreadyReviewed();
        reviewOf[patient][dentist] = contentHash;
        emit ReviewSubmitted(patient, dentist, contentHash);
        token.transfer(patient, reward);
    }
}

/// @notice The pool's token: a plain OpenZeppelin ERC-20 with the whole supply minted to the deployer.
contract PoolToken is ERC20 {
    constructor(uint256 supply) ERC20("Pool Token", "POOL") {
        _mint(msg.sender, supply);
    }
}
