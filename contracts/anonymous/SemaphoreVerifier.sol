// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Brings Semaphore v4's Groth16 verifier into the build, unchanged from the pinned
// @semaphore-protocol/contracts, so that it compiles with the project's settings and its artifact
// ships beside the others (scripts/export_artifacts.js). AnonymousReviews calls it through
// ISemaphoreVerifier. Its verification keys are those of the public Semaphore V4 trusted-setup
// ceremony, whose proving files @zk-kit/semaphore-artifacts ships.
import {SemaphoreVerifier} from "@semaphore-protocol/contracts/base/SemaphoreVerifier.sol";
