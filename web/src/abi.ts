// Only the parts of the contracts the pages read (human-readable ABI, parsed by viem).
import { parseAbi } from "viem";

export const registryAbi = parseAbi([
  "event ReviewAnchored(bytes32 indexed digest, bytes32 indexed visitId, address indexed patient, address dentist, uint256 reward)",
  "event BatchAnchored(bytes32 indexed root, uint256 size, uint256 rewarded, uint256 rewardCredit)",
  "event RewardQueued(address indexed patient, uint256 amount)",
  "event StatementAnchored(bytes32 indexed digest)",
  "function anchoredAt(bytes32 digest) view returns (uint64)",
  "function reviewDigestOf(bytes32 visitId) view returns (bytes32)",
  "function dentistStatus(address dentist) view returns (uint8)",
  "function batchOf(bytes32 root) view returns ((uint64 anchoredAt, uint32 size, uint32 rewarded))",
  "function isReviewInBatch(bytes32 root, bytes32 digest, bytes32[] proof) view returns (bool)",
  "function rewardToken() view returns (address)",
  "function statementAnchoredAt(bytes32 digest) view returns (uint64)",
]);

export const tokenAbi = parseAbi([
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "function balanceOf(address owner) view returns (uint256)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
]);
