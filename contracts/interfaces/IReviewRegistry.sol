// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IReviewRegistry
 * @notice Anchors patients' dental reviews on-chain and pays each rewarded review a fixed token amount.
 *
 * A dentist's wallet signs a `Visit` attestation for a patient's wallet; the patient's wallet then signs a
 * `Review` of that visit. Both are EIP-712 typed data under the domain `{name: "DentaReview", version: "1",
 * chainId, verifyingContract: <this registry>}`:
 *
 *     Visit(bytes32 visitId,address patient,address dentist,uint64 visitedAt)
 *     Review(bytes32 visitId,uint8 rating,uint8 treatment,uint8 bedside,uint8 waitTime,string text,uint64 deadline)
 *
 * A relayer submits both signatures; the registry verifies them itself, so every anchored review provably
 * comes from the patient of a visit attested by an active dentist. The review text never goes on-chain: the
 * registry receives `keccak256(bytes(text))`, which is exactly the value EIP-712 hashes for the `string`
 * member, and records the review's full EIP-712 digest.
 *
 * The reward is the same for every rewarded review, whatever its ratings. At most `dailyRewardCap` token
 * units are minted per UTC day (`block.timestamp / 1 days`); a rewarded review beyond the cap is still
 * anchored and its reward is queued for the patient, to be paid by {payQueuedReward} on a later day.
 *
 * Batch mode, for scale and privacy: the relayer anchors one Merkle root per batch of reviews ({anchorBatch}),
 * built like OpenZeppelin's `StandardMerkleTree` with leaf type `bytes32` over the review digests, so anyone
 * checks a review's membership with {isReviewInBatch} (or `MerkleProof.verify` off-chain). A batch names no
 * patient and no dentist. The registry does not see the signatures of batched reviews: auditors verify them
 * off-chain against the proof. Rewards of batched reviews accrue as a credit of `rewardAmount` per rewarded
 * review at anchoring time, and are paid in aggregate per patient by {payRewards}, within the credit and the
 * same daily cap.
 *
 * Statements, in either mode: a patient's edit (`ReviewEdit`) or erasure (`ReviewErasure`) of their review,
 * and a dentist's reply (`ReviewReply`), are EIP-712 messages of their own types in the same domain. The
 * relayer anchors their digests with {anchorStatements}, which records when each was first anchored and pays
 * nothing. Like a batch root, a statement's signature is checked off-chain against its proof: a digest alone
 * proves nothing, so a relayer anchoring digests nobody signed gains nothing but its own gas bill.
 */
interface IReviewRegistry {
    /// @notice Registration state of a dentist's wallet.
    enum DentistStatus {
        Unregistered,
        Active,
        Inactive
    }

    /**
     * @notice A dentist's registration and its rewarded reviews of one day, in one storage slot.
     * @param status Registration state.
     * @param rewardDay The day (`block.timestamp / 1 days`) that `rewardedThatDay` counts.
     * @param rewardedThatDay Rewarded reviews of this dentist's visits anchored on `rewardDay`.
     */
    struct DentistRecord {
        DentistStatus status;
        uint32 rewardDay;
        uint32 rewardedThatDay;
    }

    /**
     * @notice A visit attestation, signed by `dentist`.
     * @param visitId 32 random bytes chosen by the practice; carries no personal data.
     * @param patient The patient's wallet, which alone may review the visit.
     * @param dentist The attesting dentist's wallet.
     * @param visitedAt Unix time of the visit.
     */
    struct Visit {
        bytes32 visitId;
        address patient;
        address dentist;
        uint64 visitedAt;
    }

    /**
     * @notice The members of a signed `Review`, except `visitId` (taken from the {Visit}) and with the text
     * replaced by its hash.
     * @param rating Overall rating, 1..5.
     * @param treatment Treatment quality rating, 1..5.
     * @param bedside Bedside manner rating, 1..5.
     * @param waitTime Waiting time rating, 1..5.
     * @param textHash `keccak256(bytes(text))` of the review text.
     * @param deadline Unix time after which the signature is void.
     */
    struct ReviewData {
        uint8 rating;
        uint8 treatment;
        uint8 bedside;
        uint8 waitTime;
        bytes32 textHash;
        uint64 deadline;
    }

    /**
     * @notice The anchoring record of a batch root.
     * @param anchoredAt Timestamp of the block that anchored the root; 0 if never anchored.
     * @param size Number of reviews (leaves) in the batch.
     * @param rewarded How many of them earn a reward; each added `rewardAmount` to the reward credit.
     */
    struct Batch {
        uint64 anchoredAt;
        uint32 size;
        uint32 rewarded;
    }

    // ------------------------------------------------------------------ events

    /// @notice `dentist` was registered, or reactivated, and may attest visits.
    event DentistRegistered(address indexed dentist);

    /// @notice `dentist` was deactivated; reviews of its visits are refused until it is registered again.
    event DentistDeactivated(address indexed dentist);

    /**
     * @notice A review was verified and anchored.
     * @param digest The EIP-712 digest of the signed `Review`.
     * @param visitId The reviewed visit.
     * @param patient The patient who signed the review.
     * @param dentist The dentist who attested the visit.
     * @param reward Token units minted to the patient in this transaction (0 if not rewardable or queued).
     */
    event ReviewAnchored(
        bytes32 indexed digest,
        bytes32 indexed visitId,
        address indexed patient,
        address dentist,
        uint256 reward
    );

    /// @notice The daily cap was reached, so `amount` was added to the reward queued for `patient`.
    event RewardQueued(address indexed patient, uint256 amount);

    /// @notice The whole reward queued for `patient`, `amount`, was minted to it.
    event QueuedRewardPaid(address indexed patient, uint256 amount);

    /// @notice The reward per rewarded review changed from `previousAmount` to `newAmount`.
    event RewardAmountChanged(uint256 previousAmount, uint256 newAmount);

    /// @notice The maximum minted per day changed from `previousCap` to `newCap`.
    event DailyRewardCapChanged(uint256 previousCap, uint256 newCap);

    /// @notice The maximum rewarded reviews per dentist per day changed from `previousLimit` to `newLimit`.
    event DentistDailyRewardLimitChanged(uint256 previousLimit, uint256 newLimit);

    /// @notice `dentist` reached its daily limit of rewarded reviews, so `patient`'s review was anchored unrewarded.
    event DentistRewardLimitReached(address indexed dentist, address indexed patient);

    /**
     * @notice A batch of reviews was anchored as one Merkle root.
     * @param root The root of the batch's `StandardMerkleTree` of review digests.
     * @param size Number of reviews in the batch.
     * @param rewarded Number of rewarded reviews in the batch.
     * @param rewardCredit Token units added to the reward credit (`rewarded * rewardAmount`).
     */
    event BatchAnchored(bytes32 indexed root, uint256 size, uint256 rewarded, uint256 rewardCredit);

    /**
     * @notice An aggregate reward payout was minted.
     * @param payoutId The payout's identifier, chosen by the relayer; never paid twice.
     * @param recipients Number of patients paid.
     * @param total Token units minted, counted against the reward credit and the daily cap.
     */
    event RewardsPaid(bytes32 indexed payoutId, uint256 recipients, uint256 total);

    /**
     * @notice Emitted when the digest of a signed statement (an edit, an erasure or a reply) is first anchored.
     * @param digest EIP-712 digest of the statement.
     */
    event StatementAnchored(bytes32 indexed digest);

    // ------------------------------------------------------------------ errors

    /// @notice The visit signature is not the dentist's: it recovers to `recovered` (zero if it does not recover),
    /// and the dentist's account, if a contract, does not accept it by ERC-1271.
    error InvalidVisitSignature(address recovered);

    /// @notice `dentist` is not an active registered dentist.
    error DentistNotActive(address dentist);

    /// @notice The review signature is not `patient`'s: it recovers to `recovered` (zero if it does not recover),
    /// and `patient`, if a contract account, does not accept it by ERC-1271.
    error NotVisitPatient(address recovered, address patient);

    /// @notice The review was accepted after its signature's `deadline`.
    error SignatureExpired(uint64 deadline);

    /// @notice `visitId` already has an anchored review.
    error VisitAlreadyReviewed(bytes32 visitId);

    /// @notice A rating is outside 1..5.
    error InvalidRating();

    /// @notice `account` is both the patient and the dentist of the visit.
    error SelfReview(address account);

    /// @notice An address argument is the zero address.
    error ZeroAddress();

    /// @notice `dentist` is not an active registered dentist, so it cannot be deactivated.
    error DentistNotRegistered(address dentist);

    /// @notice Paying now would exceed today's cap; only `remaining` token units may still be minted today.
    error DailyRewardCapReached(uint256 remaining);

    /// @notice No reward is queued for `patient`.
    error NothingQueued(address patient);

    /// @notice `root` is already anchored.
    error BatchAlreadyAnchored(bytes32 root);

    /// @notice The batch is malformed: a zero root, no reviews, or more rewarded reviews than reviews.
    error InvalidBatch();

    /// @notice The payout `payoutId` was already made.
    error PayoutAlreadyMade(bytes32 payoutId);

    /// @notice The payout names no patient, or its patients and amounts differ in number.
    error InvalidPayout();

    /// @notice {anchorStatements} was called with no digest, or with a zero digest.
    error InvalidStatement();

    /// @notice The payout asks for `requested` token units but the reward credit holds only `credit`.
    error InsufficientRewardCredit(uint256 credit, uint256 requested);

    // ------------------------------------------------------------------ administration

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
     * @notice Stops {submitReview}, {payQueuedReward}, {anchorBatch} and {payRewards}.
     * @dev Only `DEFAULT_ADMIN_ROLE`. Emits {Pausable-Paused}.
     */
    function pause() external;

    /**
     * @notice Resumes {submitReview}, {payQueuedReward}, {anchorBatch} and {payRewards}.
     * @dev Only `DEFAULT_ADMIN_ROLE`. Emits {Pausable-Unpaused}.
     */
    function unpause() external;

    // ------------------------------------------------------------------ relayer

    /**
     * @notice Verifies a signed visit and its signed review, anchors the review digest and pays the reward.
     * @dev Only `RELAYER_ROLE`, when not paused. Reverts with {SelfReview}, {InvalidRating}, {SignatureExpired}
     * (when `acceptedAt > review.deadline`), {DentistNotActive}, {InvalidVisitSignature}, {VisitAlreadyReviewed}
     * or {NotVisitPatient}.
     *
     * Each signature is checked by ECDSA for an externally owned account, and by ERC-1271 (OpenZeppelin
     * `SignatureChecker`) when the signer is a smart-contract account.
     *
     * The deadline protects the patient against a signature used long after it was given; the relayer attests
     * `acceptedAt`, when the service accepted the review, so a review accepted in time is still anchored after
     * an outage or a pause. The attestation is the relayer's word, recorded in calldata for auditors.
     *
     * If `rewardable`, the reward is minted to the patient when the dentist's daily limit and today's cap allow
     * it; past the dentist's limit no reward is paid ({DentistRewardLimitReached}); past the cap it is added to
     * {queuedReward} ({RewardQueued}). Always emits {ReviewAnchored}.
     * @param visit The visit attestation.
     * @param visitSignature The dentist's signature of `visit`: 65-byte `r ‖ s ‖ v`, or an ERC-1271 signature.
     * @param review The review members, the text replaced by its hash.
     * @param reviewSignature The patient's signature of the `Review`: 65-byte `r ‖ s ‖ v`, or ERC-1271.
     * @param rewardable Whether the off-chain policy grants this review a reward.
     * @param acceptedAt Unix time at which the service accepted the review; at most `review.deadline`.
     * @return digest The EIP-712 digest of the `Review`, as recorded.
     */
    function submitReview(
        Visit calldata visit,
        bytes calldata visitSignature,
        ReviewData calldata review,
        bytes calldata reviewSignature,
        bool rewardable,
        uint64 acceptedAt
    ) external returns (bytes32 digest);

    /**
     * @notice Mints the whole reward queued for `patient`, if today's cap allows it.
     * @dev Only `RELAYER_ROLE`, when not paused. Emits {QueuedRewardPaid}. Reverts with {NothingQueued} if no
     * reward is queued, and with {DailyRewardCapReached} if the queued amount exceeds what remains of today's cap.
     * @param patient The patient to pay.
     * @return paid The token units minted.
     */
    function payQueuedReward(address patient) external returns (uint256 paid);

    /**
     * @notice Anchors the Merkle root of a batch of reviews and credits the rewards it earned.
     * @dev Only `RELAYER_ROLE`, when not paused. Emits {BatchAnchored}. Reverts with {InvalidBatch} if `root` is
     * zero, `size` is zero or `rewarded > size`, and with {BatchAlreadyAnchored} if `root` was anchored before.
     * Adds `rewarded * rewardAmount` to {batchRewardCredit}. Neither signatures nor the leaves are checked here:
     * the root is the relayer's commitment, which auditors check off-chain.
     * @param root Root of the `StandardMerkleTree` (leaf type `bytes32`) of the batch's review digests.
     * @param size Number of reviews in the batch.
     * @param rewarded Number of the batch's reviews that earn a reward.
     */
    function anchorBatch(bytes32 root, uint32 size, uint32 rewarded) external;

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
     * @notice Anchors the EIP-712 digests of signed statements about reviews: edits, erasures and replies.
     * @dev Only `RELAYER_ROLE`, when not paused. Emits {StatementAnchored} for each digest not anchored before;
     * a digest anchored before (or twice in `digests`) is skipped, so a resent transaction changes nothing.
     * Reverts with {InvalidStatement} if `digests` is empty or holds a zero digest. Mints nothing and checks no
     * signature: the statement's proof carries its signed message, which auditors check off-chain.
     * @param digests The statements' EIP-712 digests.
     * @return anchored How many of `digests` were anchored by this call.
     */
    function anchorStatements(bytes32[] calldata digests) external returns (uint256 anchored);

    // ------------------------------------------------------------------ views

    /// @notice The role allowed to call {submitReview}, {payQueuedReward}, {anchorBatch}, {payRewards} and
    /// {anchorStatements}.
    function RELAYER_ROLE() external view returns (bytes32);

    /// @notice The EIP-712 type hash of `Visit`.
    function VISIT_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 type hash of `Review`.
    function REVIEW_TYPEHASH() external view returns (bytes32);

    /// @notice The reward token, minted by this registry.
    function rewardToken() external view returns (address);

    /// @notice Token units paid per rewarded review.
    function rewardAmount() external view returns (uint256);

    /// @notice Maximum token units minted per day.
    function dailyRewardCap() external view returns (uint256);

    /**
     * @notice The current day and the token units minted during it so far.
     * @return day `block.timestamp / 1 days`.
     * @return minted Token units minted today, by reviews and queued payments together.
     */
    function rewardedToday() external view returns (uint256 day, uint256 minted);

    /// @notice Token units queued for `patient` because the daily cap was reached.
    function queuedReward(address patient) external view returns (uint256);

    /// @notice Registration state of `dentist`.
    function dentistStatus(address dentist) external view returns (DentistStatus);

    /// @notice Maximum rewarded reviews per dentist per day.
    function dentistDailyRewardLimit() external view returns (uint256);

    /**
     * @notice The current day and how many rewarded reviews of `dentist`'s visits were anchored during it.
     * @return day `block.timestamp / 1 days`.
     * @return rewarded Rewarded reviews counted against the dentist's daily limit today.
     */
    function dentistRewardedToday(address dentist) external view returns (uint256 day, uint256 rewarded);

    /// @notice Timestamp of the block that anchored the review with `digest`; 0 if never anchored.
    function anchoredAt(bytes32 digest) external view returns (uint64);

    /// @notice The digest of the review anchored for `visitId`; 0 if the visit was not reviewed.
    function reviewDigestOf(bytes32 visitId) external view returns (bytes32);

    /// @notice Whether `visitId` already has an anchored review.
    function isVisitReviewed(bytes32 visitId) external view returns (bool);

    /// @notice The anchoring record of `root`; all zero if the root was never anchored.
    function batchOf(bytes32 root) external view returns (Batch memory);

    /**
     * @notice Whether the review `digest` is a leaf of the anchored batch `root`, by `proof`.
     * @dev False if `root` was never anchored. Uses OpenZeppelin `MerkleProof.verifyCalldata` on the leaf
     * {reviewLeaf}(`digest`).
     * @param root An anchored batch root.
     * @param digest The review's EIP-712 digest.
     * @param proof The sibling hashes from the leaf up to the root.
     */
    function isReviewInBatch(bytes32 root, bytes32 digest, bytes32[] calldata proof) external view returns (bool);

    /// @notice The `StandardMerkleTree` leaf of a review digest: `keccak256(bytes.concat(keccak256(abi.encode(digest))))`.
    function reviewLeaf(bytes32 digest) external pure returns (bytes32);

    /// @notice Token units credited by anchored batches and not yet paid by {payRewards}.
    function batchRewardCredit() external view returns (uint256);

    /// @notice Whether the payout `payoutId` was made.
    function isPayoutMade(bytes32 payoutId) external view returns (bool);

    /// @notice The timestamp of the block that first anchored the statement `digest`; zero if never anchored.
    function statementAnchoredAt(bytes32 digest) external view returns (uint64);

    /// @notice The EIP-712 domain separator of this registry on the current chain.
    function domainSeparator() external view returns (bytes32);

    /// @notice The EIP-712 `hashStruct` of `visit`.
    function hashVisit(Visit calldata visit) external pure returns (bytes32);

    /// @notice The EIP-712 `hashStruct` of the `Review` of `visitId` with the members of `review`.
    function hashReview(bytes32 visitId, ReviewData calldata review) external pure returns (bytes32);

    /// @notice The full EIP-712 digest of the `Review` of `visitId`: what the patient signs and what is anchored.
    function reviewDigest(bytes32 visitId, ReviewData calldata review) external view returns (bytes32);

    /// @notice The full EIP-712 digest of `visit`: what the dentist signs.
    function visitDigest(Visit calldata visit) external view returns (bytes32);
}
