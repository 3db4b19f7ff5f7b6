// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRegistryAdmin} from "./IRegistryAdmin.sol";
import {IRegistryBatches} from "./IRegistryBatches.sol";
import {IRegistryPayouts} from "./IRegistryPayouts.sol";
import {IRegistryReviews} from "./IRegistryReviews.sol";
import {IRegistrySignatures} from "./IRegistrySignatures.sol";
import {IRegistryStatements} from "./IRegistryStatements.sol";
import {IRegistryVisitSigners} from "./IRegistryVisitSigners.sol";

/**
 * @title IReviewRegistry
 * @notice Anchors patients' dental reviews on-chain and pays each rewarded review a fixed token amount.
 *
 * A dentist's wallet signs a `Visit` attestation for a patient's wallet; the patient's wallet then signs a
 * `Review` of that visit, both EIP-712 typed data ({IRegistrySignatures}). The registry is composed of one
 * interface per concern, each with its own events and errors:
 *
 * - {IRegistryReviews}: single mode, one review per transaction, both signatures verified on-chain;
 * - {IRegistryBatches}: batch mode, one Merkle root per batch of reviews;
 * - {IRegistryPayouts}: the reward token, the daily cap, queued and aggregate payouts;
 * - {IRegistryStatements}: the digests of signed edits, erasures and replies;
 * - {IRegistryVisitSigners}: keys a dentist authorised to sign its visits;
 * - {IRegistrySignatures}: the EIP-712 domain, type hashes, struct hashes and digests, and who signed;
 * - {IRegistryAdmin}: dentists, reward settings, the pause and the relayer's role.
 *
 * Its data types are in `types/RegistryTypes.sol`.
 */
interface IReviewRegistry is
    IRegistryAdmin,
    IRegistryReviews,
    IRegistryBatches,
    IRegistryPayouts,
    IRegistryStatements,
    IRegistryVisitSigners,
    IRegistrySignatures
{}
