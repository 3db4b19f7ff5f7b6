// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IRegistryAdmin} from "./interfaces/IRegistryAdmin.sol";
import {IRegistryBatches} from "./interfaces/IRegistryBatches.sol";
import {IRegistryPayouts} from "./interfaces/IRegistryPayouts.sol";
import {IRegistryReviews} from "./interfaces/IRegistryReviews.sol";
import {IRegistryStatements} from "./interfaces/IRegistryStatements.sol";
import {IRegistryVisitSigners} from "./interfaces/IRegistryVisitSigners.sol";
import {IReviewRegistry} from "./interfaces/IReviewRegistry.sol";
import {IRewardToken} from "./interfaces/IRewardToken.sol";
import {RegistrySignatures} from "./RegistrySignatures.sol";
import {Batch, DentistRecord, DentistStatus, ReviewData, Visit, VisitSignerGrant} from "./types/RegistryTypes.sol";

/**
 * @title ReviewRegistry
 * @notice Verifies dentist-signed visits and patient-signed reviews, anchors review digests and pays rewards.
 * @dev See {IReviewRegistry}. `DEFAULT_ADMIN_ROLE` administers dentists, the reward and the pause;
 * `RELAYER_ROLE` submits reviews. The registry must hold the token's `MINTER_ROLE`. The EIP-712 hashing and
 * the signer checks live in {RegistrySignatures}.
 *
 * Storage is laid out for {submitReview}: the reward amount, the day's reward tally and the per-dentist daily
 * limit share the slot of Pausable's `_paused` flag (declared just before them in the linearization), so the
 * pause check, the reward and the tally cost one cold read and one write. A dentist's status and its own day
 * tally share one slot too, which the review reads anyway.
 *
 * Batch mode ({anchorBatch}, {payRewards}) costs one new slot per batch (its {Batch} record) and one word shared
 * by every batch and payout (the reward credit), so a batch's gas does not grow with its size.
 */
contract ReviewRegistry is IReviewRegistry, RegistrySignatures, AccessControl, Pausable {
    using SafeCast for uint256;

    /// @inheritdoc IRegistryAdmin
    bytes32 public constant RELAYER_ROLE = keccak256("RELAYER_ROLE");

    /// @inheritdoc IRegistryVisitSigners
    bytes32 public constant VISIT_SIGNER_TYPEHASH =
        keccak256("VisitSigner(address signer,uint64 validUntil,uint256 nonce)");

    IRewardToken private immutable _rewardToken;

    // Packed with Pausable's `_paused`: everything a rewarded review reads and writes besides its own records.
    // 96 bits hold 79 billion tokens of 18 decimals; a 32-bit day number lasts 11 million years.
    uint96 private _rewardAmount;
    // The day of the last mint and what the cap still allowed after it: `_dailyRewardCap` minus the amount
    // minted that day. Negative when the cap was lowered below the amount already minted. Tracking what
    // remains, rather than what was minted, spares a read of the cap on every mint but a day's first.
    uint32 private _tallyDay;
    int112 private _tallyRemaining;
    // Rewarded reviews per dentist per day: bounds what a dishonest dentist (or a leaked relayer key) can mint
    // through one practice's visits. 255 a day is far above any real practice's rewarded reviews.
    uint8 private _dentistDailyRewardLimit;

    uint96 private _dailyRewardCap;

    mapping(address dentist => DentistRecord) private _dentists;
    mapping(bytes32 visitId => bytes32 digest) private _reviewDigestOf;
    // A full word, so anchoring writes it without first reading it (the value is a uint64 timestamp).
    mapping(bytes32 digest => uint256 timestamp) private _anchoredAt;
    mapping(address patient => uint256 amount) private _queuedReward;

    mapping(bytes32 root => Batch) private _batches;
    // Both only grow, so after the first batch the slot is never zero again and each update is a cheap
    // non-zero to non-zero write. The credit is their difference.
    uint128 private _batchRewardAccrued;
    uint128 private _batchRewardPaid;
    mapping(bytes32 payoutId => bool) private _payoutMade;
    // Signed statements about reviews (edits, erasures, replies): when each digest was first anchored.
    mapping(bytes32 digest => uint256 timestamp) private _statementAnchoredAt;
    // Visit-signing keys: whom each speaks for and until when; each dentist's count of authorisations.
    mapping(address signer => VisitSignerGrant) private _visitSigners;
    mapping(address dentist => uint256) private _visitSignerNonces;

    /**
     * @notice Deploys the registry.
     * @param admin Account granted `DEFAULT_ADMIN_ROLE`.
     * @param relayer Account granted `RELAYER_ROLE`.
     * @param rewardToken_ The reward token; this registry must be granted its `MINTER_ROLE`.
     * @param rewardAmount_ Token units paid per rewarded review.
     * @param dailyRewardCap_ Maximum token units minted per day.
     * @param dentistDailyRewardLimit_ Maximum rewarded reviews per dentist per day.
     */
    constructor(
        address admin,
        address relayer,
        address rewardToken_,
        uint256 rewardAmount_,
        uint256 dailyRewardCap_,
        uint8 dentistDailyRewardLimit_
    ) {
        if (admin == address(0) || relayer == address(0) || rewardToken_ == address(0)) revert ZeroAddress();
        _rewardToken = IRewardToken(rewardToken_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RELAYER_ROLE, relayer);
        _setRewardAmount(rewardAmount_);
        _setDailyRewardCap(dailyRewardCap_);
        _setDentistDailyRewardLimit(dentistDailyRewardLimit_);
        // A non-zero day keeps the packed slot non-zero, so no review pays for a zero-to-non-zero write.
        _tallyDay = _today();
        _tallyRemaining = int112(int256(uint256(_dailyRewardCap)));
    }

    // ------------------------------------------------------------------ administration

    /// @inheritdoc IRegistryAdmin
    function registerDentist(address dentist) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (dentist == address(0)) revert ZeroAddress();
        _dentists[dentist].status = DentistStatus.Active;
        emit DentistRegistered(dentist);
    }

    /// @inheritdoc IRegistryAdmin
    function deactivateDentist(address dentist) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_dentists[dentist].status != DentistStatus.Active) revert DentistNotRegistered(dentist);
        _dentists[dentist].status = DentistStatus.Inactive;
        emit DentistDeactivated(dentist);
    }

    /// @inheritdoc IRegistryAdmin
    function setRewardAmount(uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRewardAmount(amount);
    }

    /// @inheritdoc IRegistryAdmin
    function setDailyRewardCap(uint256 cap) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDailyRewardCap(cap);
    }

    /// @inheritdoc IRegistryAdmin
    function setDentistDailyRewardLimit(uint8 limit) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDentistDailyRewardLimit(limit);
    }

    /// @inheritdoc IRegistryAdmin
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IRegistryAdmin
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ visit-signing keys

    /// @inheritdoc IRegistryVisitSigners
    function setVisitSigner(address dentist, address signer, uint64 validUntil, bytes calldata signature) external {
        address current = _visitSigners[signer].dentist;
        if (signer == address(0) || signer == dentist || (current != address(0) && current != dentist)) {
            revert VisitSignerNotAvailable(signer);
        }
        uint256 nonce = _visitSignerNonces[dentist];
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(VISIT_SIGNER_TYPEHASH, signer, validUntil, nonce)));
        (bool signed, address recovered) = _isSignedBy(dentist, digest, signature);
        if (!signed) revert InvalidVisitSignerAuthorization(recovered);
        _visitSignerNonces[dentist] = nonce + 1;
        _visitSigners[signer] = VisitSignerGrant({dentist: dentist, validUntil: validUntil});
        emit VisitSignerSet(dentist, signer, validUntil, nonce);
    }

    /// @inheritdoc IRegistryVisitSigners
    function visitSignerNonce(address dentist) external view returns (uint256) {
        return _visitSignerNonces[dentist];
    }

    /// @inheritdoc IRegistryVisitSigners
    function visitSignerOf(address signer) external view returns (address dentist, uint64 validUntil) {
        VisitSignerGrant memory grant = _visitSigners[signer];
        return (grant.dentist, grant.validUntil);
    }

    // ------------------------------------------------------------------ relayer

    /// @inheritdoc IRegistryReviews
    function submitReview(
        Visit calldata visit,
        bytes calldata visitSignature,
        ReviewData calldata review,
        bytes calldata reviewSignature,
        bool rewardable,
        uint64 acceptedAt
    ) external onlyRole(RELAYER_ROLE) whenNotPaused returns (bytes32 digest) {
        bytes32 visitId = visit.visitId;
        address patient = visit.patient;
        address dentist = visit.dentist;

        if (patient == dentist) revert SelfReview(patient);
        if (
            !_isRating(review.rating) ||
            !_isRating(review.treatment) ||
            !_isRating(review.bedside) ||
            !_isRating(review.waitTime)
        ) revert InvalidRating();
        // The deadline bounds when the service may accept the signature, not when the chain may take it:
        // an outage or a pause must not strand a review accepted in time (see {submitReview} in the interface).
        if (acceptedAt > review.deadline) revert SignatureExpired(review.deadline);
        DentistRecord memory record = _dentists[dentist];
        if (record.status != DentistStatus.Active) revert DentistNotActive(dentist);

        (bool dentistSigned, address visitSigner) = _isVisitSignedBy(dentist, visit, visitSignature);
        if (!dentistSigned && !_speaksFor(visitSigner, dentist, visit.visitedAt)) revert InvalidVisitSignature(visitSigner);
        if (_reviewDigestOf[visitId] != 0) revert VisitAlreadyReviewed(visitId);
        digest = _checkReviewSignature(patient, visitId, review, reviewSignature);

        _reviewDigestOf[visitId] = digest;
        _anchoredAt[digest] = block.timestamp;

        uint256 reward = 0;
        if (rewardable) {
            uint256 amount = _rewardAmount;
            if (amount != 0) {
                if (!_countDentistReward(dentist, record)) {
                    emit DentistRewardLimitReached(dentist, patient);
                } else if (_consumeDailyCap(amount)) {
                    reward = amount;
                } else {
                    _queuedReward[patient] += amount;
                    emit RewardQueued(patient, amount);
                }
            }
        }
        emit ReviewAnchored(digest, visitId, patient, dentist, reward);
        if (reward != 0) _rewardToken.mint(patient, reward);
    }

    /// @inheritdoc IRegistryPayouts
    function payQueuedReward(
        address patient
    ) external onlyRole(RELAYER_ROLE) whenNotPaused returns (uint256 paid) {
        paid = _queuedReward[patient];
        if (paid == 0) revert NothingQueued(patient);
        if (!_consumeDailyCap(paid)) revert DailyRewardCapReached(_remainingToday());
        delete _queuedReward[patient];
        emit QueuedRewardPaid(patient, paid);
        _rewardToken.mint(patient, paid);
    }

    // ------------------------------------------------------------------ batches

    /// @inheritdoc IRegistryBatches
    function anchorBatch(bytes32 root, uint32 size, uint32 rewarded) external onlyRole(RELAYER_ROLE) whenNotPaused {
        if (root == 0 || size == 0 || rewarded > size) revert InvalidBatch();
        if (_batches[root].anchoredAt != 0) revert BatchAlreadyAnchored(root);
        // Cannot truncate: block timestamps fit 64 bits.
        _batches[root] = Batch(uint64(block.timestamp), size, rewarded);
        uint256 credit = 0;
        if (rewarded != 0) {
            credit = uint256(rewarded) * _rewardAmount; // < 2**128: 32-bit count times a 96-bit amount
            _batchRewardAccrued += uint128(credit);
        }
        emit BatchAnchored(root, size, rewarded, credit);
    }

    /// @inheritdoc IRegistryPayouts
    function payRewards(
        bytes32 payoutId,
        address[] calldata patients,
        uint256[] calldata amounts
    ) external onlyRole(RELAYER_ROLE) whenNotPaused returns (uint256 total) {
        uint256 count = patients.length;
        if (count == 0 || count != amounts.length) revert InvalidPayout();
        if (_payoutMade[payoutId]) revert PayoutAlreadyMade(payoutId);
        for (uint256 i = 0; i < count; ++i) {
            total += amounts[i];
        }
        uint256 credit = _batchRewardAccrued - _batchRewardPaid;
        if (total > credit) revert InsufficientRewardCredit(credit, total);
        if (!_consumeDailyCap(total)) revert DailyRewardCapReached(_remainingToday());
        _payoutMade[payoutId] = true;
        _batchRewardPaid += uint128(total); // cannot overflow: total <= credit <= accrued
        emit RewardsPaid(payoutId, count, total);
        for (uint256 i = 0; i < count; ++i) {
            _rewardToken.mint(patients[i], amounts[i]);
        }
    }

    // ------------------------------------------------------------------ statements

    /// @inheritdoc IRegistryStatements
    function anchorStatements(
        bytes32[] calldata digests
    ) external onlyRole(RELAYER_ROLE) whenNotPaused returns (uint256 anchored) {
        uint256 count = digests.length;
        if (count == 0) revert InvalidStatement();
        for (uint256 i = 0; i < count; ++i) {
            bytes32 digest = digests[i];
            if (digest == 0) revert InvalidStatement();
            if (_statementAnchoredAt[digest] != 0) continue; // a resend, or a duplicate: already recorded
            _statementAnchoredAt[digest] = block.timestamp;
            emit StatementAnchored(digest);
            ++anchored;
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRegistryPayouts
    function rewardToken() external view returns (address) {
        return address(_rewardToken);
    }

    /// @inheritdoc IRegistryPayouts
    function rewardAmount() external view returns (uint256) {
        return _rewardAmount;
    }

    /// @inheritdoc IRegistryPayouts
    function dailyRewardCap() external view returns (uint256) {
        return _dailyRewardCap;
    }

    /// @inheritdoc IRegistryPayouts
    function rewardedToday() external view returns (uint256 day, uint256 minted) {
        return (block.timestamp / 1 days, _mintedToday());
    }

    /// @inheritdoc IRegistryPayouts
    function queuedReward(address patient) external view returns (uint256) {
        return _queuedReward[patient];
    }

    /// @inheritdoc IRegistryAdmin
    function dentistStatus(address dentist) external view returns (DentistStatus) {
        return _dentists[dentist].status;
    }

    /// @inheritdoc IRegistryAdmin
    function dentistDailyRewardLimit() external view returns (uint256) {
        return _dentistDailyRewardLimit;
    }

    /// @inheritdoc IRegistryAdmin
    function dentistRewardedToday(address dentist) external view returns (uint256 day, uint256 rewarded) {
        DentistRecord memory record = _dentists[dentist];
        day = _today();
        // slither-disable-next-line incorrect-equality
        rewarded = record.rewardDay == day ? record.rewardedThatDay : 0;
    }

    /// @inheritdoc IRegistryReviews
    function anchoredAt(bytes32 digest) external view returns (uint64) {
        // Cannot truncate: block timestamps fit 64 bits.
        return uint64(_anchoredAt[digest]);
    }

    /// @inheritdoc IRegistryReviews
    function reviewDigestOf(bytes32 visitId) external view returns (bytes32) {
        return _reviewDigestOf[visitId];
    }

    /// @inheritdoc IRegistryReviews
    function isVisitReviewed(bytes32 visitId) external view returns (bool) {
        return _reviewDigestOf[visitId] != 0;
    }

    /// @inheritdoc IRegistryBatches
    function batchOf(bytes32 root) external view returns (Batch memory) {
        return _batches[root];
    }

    /// @inheritdoc IRegistryBatches
    function isReviewInBatch(bytes32 root, bytes32 digest, bytes32[] calldata proof) external view returns (bool) {
        return _batches[root].anchoredAt != 0 && MerkleProof.verifyCalldata(proof, root, reviewLeaf(digest));
    }

    /// @inheritdoc IRegistryBatches
    function reviewLeaf(bytes32 digest) public pure returns (bytes32) {
        // OpenZeppelin StandardMerkleTree leaf for the value type `bytes32`.
        return keccak256(bytes.concat(keccak256(abi.encode(digest))));
    }

    /// @inheritdoc IRegistryPayouts
    function batchRewardCredit() external view returns (uint256) {
        return _batchRewardAccrued - _batchRewardPaid;
    }

    /// @inheritdoc IRegistryPayouts
    function isPayoutMade(bytes32 payoutId) external view returns (bool) {
        return _payoutMade[payoutId];
    }

    /// @inheritdoc IRegistryStatements
    function statementAnchoredAt(bytes32 digest) external view returns (uint64) {
        // Cannot truncate: block timestamps fit 64 bits.
        return uint64(_statementAnchoredAt[digest]);
    }

    // ------------------------------------------------------------------ internal

    /**
     * @dev Counts a rewarded review of `dentist` against its daily limit if there is room; returns whether
     * there was. `record` is the dentist's slot as already read by the caller.
     */
    function _countDentistReward(address dentist, DentistRecord memory record) private returns (bool) {
        uint32 today = _today();
        // slither-disable-next-line incorrect-equality
        uint32 rewarded = record.rewardDay == today ? record.rewardedThatDay : 0;
        if (rewarded >= _dentistDailyRewardLimit) return false;
        _dentists[dentist] = DentistRecord(record.status, today, rewarded + 1);
        return true;
    }

    /**
     * @dev Counts `amount` against today's cap if it fits in what remains; returns whether it did.
     * The cap is read only on the first mint of a day, when the tally restarts from it.
     */
    function _consumeDailyCap(uint256 amount) private returns (bool) {
        uint32 today = _today();
        // Day numbers, not balances: "the same UTC day" is the intended strict equality.
        // slither-disable-next-line incorrect-equality
        int256 remaining = _tallyDay == today ? int256(_tallyRemaining) : int256(uint256(_dailyRewardCap));
        if (remaining < 0 || uint256(remaining) < amount) return false;
        _tallyDay = today;
        // Cannot truncate: 0 <= remaining - amount <= remaining, which fits int112 (see `_setDailyRewardCap`).
        _tallyRemaining = int112(remaining - int256(amount));
        return true;
    }

    /// @dev Token units minted today so far.
    function _mintedToday() private view returns (uint256) {
        if (_tallyDay != _today()) return 0;
        // The tally invariant: remaining == cap - minted, with 0 <= minted.
        return uint256(int256(uint256(_dailyRewardCap)) - _tallyRemaining);
    }

    /// @dev Token units that may still be minted today.
    function _remainingToday() private view returns (uint256) {
        if (_tallyDay != _today()) return _dailyRewardCap;
        int256 remaining = _tallyRemaining;
        return remaining > 0 ? uint256(remaining) : 0;
    }

    /// @dev The current day number, `block.timestamp / 1 days` (fits 32 bits for 11 million years).
    function _today() private view returns (uint32) {
        return uint32(block.timestamp / 1 days);
    }

    function _setRewardAmount(uint256 amount) private {
        emit RewardAmountChanged(_rewardAmount, amount);
        _rewardAmount = amount.toUint96();
    }

    function _setDailyRewardCap(uint256 cap) private {
        uint96 newCap = cap.toUint96();
        uint96 previousCap = _dailyRewardCap;
        // slither-disable-next-line incorrect-equality
        if (_tallyDay == _today()) {
            // Keep remaining == cap - minted. Both terms are below 2**96, so the result fits int112.
            _tallyRemaining = int112(_tallyRemaining + int256(uint256(newCap)) - int256(uint256(previousCap)));
        }
        _dailyRewardCap = newCap;
        emit DailyRewardCapChanged(previousCap, newCap);
    }

    function _setDentistDailyRewardLimit(uint8 limit) private {
        emit DentistDailyRewardLimitChanged(_dentistDailyRewardLimit, limit);
        _dentistDailyRewardLimit = limit;
    }

    /// @dev Whether `value` is a rating, 1..5 (RATING_MIN..RATING_MAX in dentareview/domain/ratings.py).
    /// @dev Whether `signer` is a visit-signing key of `dentist` valid for a visit at `visitedAt`.
    function _speaksFor(address signer, address dentist, uint64 visitedAt) private view returns (bool) {
        if (signer == address(0)) return false;
        VisitSignerGrant memory grant = _visitSigners[signer];
        return grant.dentist == dentist && visitedAt <= grant.validUntil;
    }

    function _isRating(uint8 value) private pure returns (bool) {
        unchecked {
            return value - 1 < 5; // 0 wraps to 255
        }
    }
}
