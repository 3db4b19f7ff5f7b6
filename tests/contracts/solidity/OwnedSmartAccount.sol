// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title OwnedSmartAccount
 * @notice The smallest ERC-1271 smart-contract account, for tests: it accepts a signature of a hash when
 * its owner's key signed that hash, as a one-owner Safe does. The owner can revoke it, like any contract
 * account can change its mind.
 */
contract OwnedSmartAccount is IERC1271 {
    address public owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Hands the account to `newOwner`; signatures of the old owner stop being valid.
    function transferOwnership(address newOwner) external {
        require(msg.sender == owner, "not the owner");
        owner = newOwner;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecover(hash, signature);
        bool valid = error == ECDSA.RecoverError.NoError && signer == owner;
        return valid ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
