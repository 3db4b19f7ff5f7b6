// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IRegistryStatements
 * @notice Signed statements about reviews, in either mode: a patient's edit (`ReviewEdit`) or erasure
 * (`ReviewErasure`) of their review, and a dentist's reply (`ReviewReply`).
 *
 * Each is an EIP-712 message of its own type in the registry's domain. The relayer anchors their digests with
 * {anchorStatements}, which records when each was first anchored and pays nothing. Like a batch root, a
 * statement's signature is checked off-chain against its proof: a digest alone proves nothing, so a relayer
 * anchoring digests nobody signed gains nothing but its own gas bill.
 */
interface IRegistryStatements {
    /**
     * @notice Emitted when the digest of a signed statement (an edit, an erasure or a reply) is first anchored.
     * @param digest EIP-712 digest of the statement.
     */
    event StatementAnchored(bytes32 indexed digest);

    /**
     * @notice Thrown when {anchorStatements} is called with no digest, or with a zero digest.
     */
    error InvalidStatement();

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

    /**
     * @notice When the statement `digest` was first anchored.
     * @param digest The statement's EIP-712 digest.
     * @return The timestamp of the block that first anchored it; zero if never anchored.
     */
    function statementAnchoredAt(bytes32 digest) external view returns (uint64);
}
