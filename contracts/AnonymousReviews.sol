// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ISemaphoreVerifier} from "@semaphore-protocol/contracts/interfaces/ISemaphoreVerifier.sol";
import {MIN_DEPTH, MAX_DEPTH} from "@semaphore-protocol/contracts/base/Constants.sol";
import {IAnonymousReviews} from "./interfaces/IAnonymousReviews.sol";
import {IReviewRegistry} from "./interfaces/IReviewRegistry.sol";
import {IRewardToken} from "./interfaces/IRewardToken.sol";
import {DentistStatus} from "./types/RegistryTypes.sol";

/**
 * @title AnonymousReviews
 * @notice Anchors anonymous reviews proven with Semaphore v4 against each practice's group of attested patients,
 * and pays their reward to a fresh address.
 * @dev See {IAnonymousReviews}. `DEFAULT_ADMIN_ROLE` sets the bounds and pauses; `RELAYER_ROLE` commits group
 * roots and submits reviews. This contract must hold the reward token's `MINTER_ROLE`. The proof is checked by
 * Semaphore's own `SemaphoreVerifier`, with the public values built exactly as Semaphore.sol's `verifyProof`
 * builds them.
 */
contract AnonymousReviews is IAnonymousReviews, AccessControl, Pausable {
    using SafeCast for uint256;

    /// @inheritdoc IAnonymousReviews
    bytes32 public constant RELAYER_ROLE = keccak256("RELAYER_ROLE");

    /// @dev One committed root of one practice's group.
    struct RootRecord {
        uint64 committedAt;
        uint64 replacedAt;
        uint32 size;
    }

    /// @dev A practice's anonymous rewards counted on `day`.
    struct DentistDay {
        uint32 day;
        uint32 rewarded;
    }

    ISemaphoreVerifier private immutable _verifier;
    IReviewRegistry private immutable _registry;
    IRewardToken private immutable _rewardToken;

    // Packed with Pausable's `_paused`: the settings every review reads.
    uint64 private _rootValidity;
    uint64 private _periodLength;
    uint32 private _minGroupSize;

    // The day of the last mint, what was minted on it, and the cap: one slot.
    uint32 private _tallyDay;
    uint96 private _mintedOnTallyDay;
    uint96 private _dailyRewardCap;

    mapping(address dentist => uint256 root) private _latestRoot;
    mapping(address dentist => mapping(uint256 root => RootRecord)) private _roots;
    mapping(uint256 nullifier => bool) private _nullifierUsed;
    mapping(bytes32 digest => uint256 timestamp) private _anchoredAt;
    mapping(address dentist => DentistDay) private _dentistDays;

    /**
     * @notice Deploys the contract with the default bounds: roots usable 7 days after being replaced, groups of
     * at least 10, periods of 90 days.
     * @param admin Account granted `DEFAULT_ADMIN_ROLE`.
     * @param relayer Account granted `RELAYER_ROLE`.
     * @param verifier_ The Semaphore v4 verifier.
     * @param registry_ The review registry whose dentists, reward amount and per-dentist limit apply.
     * @param rewardToken_ The reward token; this contract must be granted its `MINTER_ROLE`.
     * @param dailyRewardCap_ Maximum token units minted per day for anonymous reviews.
     */
    constructor(
        address admin,
        address relayer,
        address verifier_,
        address registry_,
        address rewardToken_,
        uint256 dailyRewardCap_
    ) {
        if (
            admin == address(0) ||
            relayer == address(0) ||
            verifier_ == address(0) ||
            registry_ == address(0) ||
            rewardToken_ == address(0)
        ) revert ZeroAddress();
        _verifier = ISemaphoreVerifier(verifier_);
        _registry = IReviewRegistry(registry_);
        _rewardToken = IRewardToken(rewardToken_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RELAYER_ROLE, relayer);
        _rootValidity = 7 days;
        _minGroupSize = 10;
        _periodLength = 90 days;
        _dailyRewardCap = dailyRewardCap_.toUint96();
    }

    // ------------------------------------------------------------------ administration

    /// @inheritdoc IAnonymousReviews
    function setRootValidity(uint256 validity) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit RootValidityChanged(_rootValidity, validity);
        _rootValidity = validity.toUint64();
    }

    /// @inheritdoc IAnonymousReviews
    function setMinGroupSize(uint256 size) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (size == 0) revert InvalidSetting();
        emit MinGroupSizeChanged(_minGroupSize, size);
        _minGroupSize = size.toUint32();
    }

    /// @inheritdoc IAnonymousReviews
    function setPeriodLength(uint256 length) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (length == 0) revert InvalidSetting();
        emit PeriodLengthChanged(_periodLength, length);
        _periodLength = length.toUint64();
    }

    /// @inheritdoc IAnonymousReviews
    function setDailyRewardCap(uint256 cap) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit DailyRewardCapChanged(_dailyRewardCap, cap);
        _dailyRewardCap = cap.toUint96();
    }

    /// @inheritdoc IAnonymousReviews
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IAnonymousReviews
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ relayer

    /// @inheritdoc IAnonymousReviews
    function commitGroupRoots(address[] calldata dentists, uint256[] calldata roots, uint32[] calldata sizes)
        external
        onlyRole(RELAYER_ROLE)
        whenNotPaused
    {
        uint256 count = dentists.length;
        if (roots.length != count || sizes.length != count) revert LengthMismatch();
        uint64 now_ = uint64(block.timestamp);
        for (uint256 i = 0; i < count; ++i) {
            address dentist = dentists[i];
            uint256 root = roots[i];
            uint32 size = sizes[i];
            if (dentist == address(0) || root == 0 || size == 0) revert InvalidGroupRoot(dentist, root, size);
            uint256 previous = _latestRoot[dentist];
            if (previous != root) {
                if (previous != 0) _roots[dentist][previous].replacedAt = now_;
                _latestRoot[dentist] = root;
            }
            _roots[dentist][root] = RootRecord({committedAt: now_, replacedAt: 0, size: size});
            emit GroupRootCommitted(dentist, root, size);
        }
    }

    /// @inheritdoc IAnonymousReviews
    function submitAnonymousReview(AnonymousReview calldata review, uint256[8] calldata points)
        external
        onlyRole(RELAYER_ROLE)
        whenNotPaused
    {
        address dentist = review.dentist;
        if (_registry.dentistStatus(dentist) != DentistStatus.Active) revert DentistNotActive(dentist);
        _checkGroup(dentist, review.merkleTreeRoot);
        uint256 current = block.timestamp / _periodLength;
        if (review.period > current || current - review.period > 1) revert PeriodNotOpen(review.period, current);
        if (_nullifierUsed[review.nullifier]) revert NullifierAlreadyUsed(review.nullifier);
        if (_anchoredAt[review.digest] != 0) revert DigestAlreadyAnchored(review.digest);
        if (review.merkleTreeDepth < MIN_DEPTH || review.merkleTreeDepth > MAX_DEPTH) {
            revert MerkleTreeDepthNotSupported(review.merkleTreeDepth);
        }
        uint256 scope = uint256(keccak256(abi.encode(dentist, review.period)));
        uint256 message = uint256(keccak256(abi.encode(review.digest, review.rewardTo)));
        bool valid = _verifier.verifyProof(
            [points[0], points[1]],
            [[points[2], points[3]], [points[4], points[5]]],
            [points[6], points[7]],
            [review.merkleTreeRoot, review.nullifier, _hash(message), _hash(scope)],
            review.merkleTreeDepth
        );
        if (!valid) revert InvalidProof();

        _nullifierUsed[review.nullifier] = true;
        _anchoredAt[review.digest] = block.timestamp;
        uint256 amount = _registry.rewardAmount();
        bool rewarded = _countReward(dentist, review.digest, review.rewardTo, amount);
        emit AnonymousReviewAnchored(
            dentist,
            review.period,
            review.nullifier,
            review.digest,
            review.rewardTo,
            rewarded
        );
        // The token is our own RewardToken (no transfer hooks); every record is written before the call.
        if (rewarded) _rewardToken.mint(review.rewardTo, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAnonymousReviews
    function verifier() external view returns (address) {
        return address(_verifier);
    }

    /// @inheritdoc IAnonymousReviews
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IAnonymousReviews
    function rewardToken() external view returns (address) {
        return address(_rewardToken);
    }

    /// @inheritdoc IAnonymousReviews
    function rootValidity() external view returns (uint256) {
        return _rootValidity;
    }

    /// @inheritdoc IAnonymousReviews
    function minGroupSize() external view returns (uint256) {
        return _minGroupSize;
    }

    /// @inheritdoc IAnonymousReviews
    function periodLength() external view returns (uint256) {
        return _periodLength;
    }

    /// @inheritdoc IAnonymousReviews
    function currentPeriod() external view returns (uint256) {
        return block.timestamp / _periodLength;
    }

    /// @inheritdoc IAnonymousReviews
    function dailyRewardCap() external view returns (uint256) {
        return _dailyRewardCap;
    }

    /// @inheritdoc IAnonymousReviews
    function latestGroup(address dentist) external view returns (uint256 root, uint256 size) {
        root = _latestRoot[dentist];
        size = _roots[dentist][root].size;
    }

    /// @inheritdoc IAnonymousReviews
    function groupRoot(address dentist, uint256 root)
        external
        view
        returns (uint256 committedAt, uint256 replacedAt, uint256 size)
    {
        RootRecord memory record = _roots[dentist][root];
        return (record.committedAt, record.replacedAt, record.size);
    }

    /// @inheritdoc IAnonymousReviews
    function isRootValid(address dentist, uint256 root) external view returns (bool) {
        RootRecord memory record = _roots[dentist][root];
        return record.committedAt != 0 && !_expired(record);
    }

    /// @inheritdoc IAnonymousReviews
    function nullifierUsed(uint256 nullifier) external view returns (bool) {
        return _nullifierUsed[nullifier];
    }

    /// @inheritdoc IAnonymousReviews
    function anchoredAt(bytes32 digest) external view returns (uint64) {
        // Cannot truncate: block timestamps fit 64 bits.
        return uint64(_anchoredAt[digest]);
    }

    /// @inheritdoc IAnonymousReviews
    function dentistRewardedToday(address dentist) external view returns (uint256 day, uint256 rewarded) {
        DentistDay memory record = _dentistDays[dentist];
        day = _today();
        // Day numbers, not balances: "the same UTC day" is the intended strict equality.
        // slither-disable-next-line incorrect-equality
        rewarded = record.day == day ? record.rewarded : 0;
    }

    /// @inheritdoc IAnonymousReviews
    function mintedToday() external view returns (uint256) {
        // slither-disable-next-line incorrect-equality
        return _tallyDay == _today() ? _mintedOnTallyDay : 0;
    }

    // ------------------------------------------------------------------ internals

    /**
     * @dev Reverts unless `root` is committed for `dentist`, not expired, and both its group and the practice's
     * latest group have at least `_minGroupSize` members.
     */
    function _checkGroup(address dentist, uint256 root) private view {
        RootRecord memory record = _roots[dentist][root];
        if (record.committedAt == 0) revert UnknownGroupRoot(dentist, root);
        if (_expired(record)) revert GroupRootExpired(dentist, root, record.replacedAt);
        uint256 size = record.size;
        if (record.replacedAt != 0) {
            uint256 latest = _roots[dentist][_latestRoot[dentist]].size;
            if (latest < size) size = latest;
        }
        if (size < _minGroupSize) revert GroupTooSmall(dentist, size, _minGroupSize);
    }

    /// @dev Whether a replaced root is past its validity; the latest root (`replacedAt == 0`) never is.
    function _expired(RootRecord memory record) private view returns (bool) {
        return record.replacedAt != 0 && block.timestamp > uint256(record.replacedAt) + _rootValidity;
    }

    /**
     * @dev Decides whether the review is rewarded and, if so, counts it against the practice's day and the day's
     * cap. Emits {AnonymousRewardWithheld} when it is not.
     */
    function _countReward(address dentist, bytes32 digest, address rewardTo, uint256 amount) private returns (bool) {
        if (rewardTo == address(0) || amount == 0) return _withhold(digest, WithheldReason.NoRecipient);
        uint32 today = _today();
        DentistDay memory record = _dentistDays[dentist];
        // slither-disable-next-line incorrect-equality
        uint32 rewarded = record.day == today ? record.rewarded : 0;
        if (rewarded >= _registry.dentistDailyRewardLimit()) {
            return _withhold(digest, WithheldReason.DentistDailyLimit);
        }
        // slither-disable-next-line incorrect-equality
        uint256 minted = _tallyDay == today ? _mintedOnTallyDay : 0;
        if (minted + amount > _dailyRewardCap) return _withhold(digest, WithheldReason.DailyCap);
        _dentistDays[dentist] = DentistDay({day: today, rewarded: rewarded + 1});
        _tallyDay = today;
        // Cannot truncate: minted + amount <= _dailyRewardCap, a uint96.
        _mintedOnTallyDay = uint96(minted + amount);
        return true;
    }

    function _withhold(bytes32 digest, WithheldReason reason) private returns (bool) {
        emit AnonymousRewardWithheld(digest, reason);
        return false;
    }

    function _today() private view returns (uint32) {
        return (block.timestamp / 1 days).toUint32();
    }

    /// @dev Semaphore's hash of a message or scope into the SNARK scalar field, as in Semaphore.sol's `_hash`.
    function _hash(uint256 value) private pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(value))) >> 8;
    }
}
