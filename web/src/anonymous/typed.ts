// The anonymous path's fixed wire: its EIP-712 types (same domain as Visit and Review),
// the text a wallet signs to open the patient's anonymous identity, and the scope and
// message a proof binds, built as AnonymousReviews builds them. Pure: viem is passed in
// by callers that already loaded it.
import type { Address, Hex } from "viem";

/** What a wallet signs (personal_sign) to open the identity; ECDSA signatures are
 * deterministic (RFC 6979), so the same wallet opens the same identity on any device. */
export const IDENTITY_TEXT =
  "DentaReview anonymous identity\n\nSign this only on the DentaReview site. It lets you review anonymously; it does not move any funds.";

/** The passkey's PRF input is sha256 of this text. */
export const PRF_SALT_TEXT = "DentaReview anonymous identity v1";

/** Prefix of the reward key: keccak256(prefix ‖ identity secret bytes ‖ uint256 period). */
export const REWARD_PREFIX = "DentaReview reward";

export const GROUP_MEMBERSHIP_TYPES = {
  GroupMembership: [
    { name: "visitId", type: "bytes32" },
    { name: "commitment", type: "uint256" },
  ],
} as const;

export const ANONYMOUS_REVIEW_TYPES = {
  AnonymousReviewText: [
    { name: "dentist", type: "address" },
    { name: "period", type: "uint256" },
    { name: "rating", type: "uint8" },
    { name: "treatment", type: "uint8" },
    { name: "bedside", type: "uint8" },
    { name: "waitTime", type: "uint8" },
    { name: "text", type: "string" },
    { name: "rewardTo", type: "address" },
  ],
} as const;

export const EIP712_DOMAIN_TYPE = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
] as const;

export interface Domain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Address;
}

/** The protocol's domain for a chain and registry. */
export function domainOf(chainId: number, registry: string): Domain {
  return { name: "DentaReview", version: "1", chainId, verifyingContract: registry as Address };
}

/** The few viem functions these need (a page passes what it loaded, keeping viem tree-shaken). */
export type Viem = Pick<typeof import("viem"), "hashTypedData" | "getAddress" | "keccak256" | "encodeAbiParameters">;

/** The AnonymousReviewText digest: the EIP-712 hash any library recomputes. */
export function anonymousDigest(
  viem: Viem,
  domain: Domain,
  message: { dentist: string; period: string | number | bigint; rating: number; treatment: number; bedside: number; waitTime: number; text: string; rewardTo: string },
): Hex {
  return viem.hashTypedData({
    domain,
    types: ANONYMOUS_REVIEW_TYPES,
    primaryType: "AnonymousReviewText",
    message: {
      dentist: viem.getAddress(message.dentist),
      period: BigInt(message.period),
      rating: message.rating,
      treatment: message.treatment,
      bedside: message.bedside,
      waitTime: message.waitTime,
      text: message.text,
      rewardTo: viem.getAddress(message.rewardTo),
    },
  });
}

/** uint256(keccak256(abi.encode(dentist, period))): one nullifier per practice and period. */
export function scopeOf(viem: Viem, dentist: string, period: string | number | bigint): bigint {
  return BigInt(viem.keccak256(viem.encodeAbiParameters(
    [{ type: "address" }, { type: "uint256" }], [viem.getAddress(dentist), BigInt(period)])));
}

/** uint256(keccak256(abi.encode(digest, rewardTo))): what the proof binds. */
export function messageOf(viem: Viem, digest: string, rewardTo: string): bigint {
  return BigInt(viem.keccak256(viem.encodeAbiParameters(
    [{ type: "bytes32" }, { type: "address" }], [digest as Hex, viem.getAddress(rewardTo)])));
}
