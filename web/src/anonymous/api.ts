// The service's routes for anonymous reviews, typed as the pages use them.
import { send, type Decision } from "../api";

/** A practice's group as committed on-chain: the members its committed root covers. */
export interface GroupOut {
  dentist: string;
  /** identity commitments (decimal strings) in the group's order, only the first committedSize */
  members: string[];
  committedRoot: string | null;
  committedSize: number;
  minGroupSize: number;
  open: boolean;
  period: number | string;
  periodLength: number;
}

export interface MembershipOut {
  dentist: string;
  commitment: string;
  index: number;
  committed: boolean;
}

/** What the Groth16 proof says, as AnonymousReviews takes it (numbers as decimal strings). */
export interface ProofOut {
  merkleTreeRoot: string;
  merkleTreeDepth: number;
  nullifier: string;
  points: string[];
}

/** The signed-by-nobody text of an anonymous review: EIP-712 AnonymousReviewText. */
export interface AnonymousText {
  dentist: string;
  period: string;
  rating: number;
  treatment: number;
  bedside: number;
  waitTime: number;
  text: string;
  rewardTo: string;
}

export interface AnonymousQueued {
  /** 16 random bytes, 0x-hex: nothing to count or order by */
  id: string;
  digest: string;
  status: string;
  publishAfter: number;
}

/** A published (or queued) anonymous review: never a visit, never a patient. */
export interface AnonymousReviewOut {
  id: string;
  dentist: string;
  period: number | string;
  /** null once removed by moderation (text empty too) */
  rating: number | null;
  treatment: number | null;
  bedside: number | null;
  waitTime: number | null;
  text: string;
  language?: string | null;
  /** moderation, as a named review's: reported (still shown), or removed with a reason */
  state?: "published" | "under_review" | "removed";
  stateLabel?: string | null;
  /** operators' recorded decisions, oldest first */
  decisions?: Decision[];
  digest: string;
  rewardTo: string;
  proof: ProofOut;
  status: "queued" | "anchored" | "failed";
  anchoredAt: number | null;
  blockNumber: number | null;
  txHash: string | null;
  contract: string | null;
  chainId: number;
}

export interface AnonymousPage {
  items: AnonymousReviewOut[];
  total?: number;
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

export const anonymousApi = {
  group: (dentist: string) => send<GroupOut>(`/v1/dentists/${dentist}/group`),
  join: (visitId: string, body: { message: { visitId: string; commitment: string }; signature: string }) =>
    send<MembershipOut>(`/v1/visits/${visitId}/membership`, json(body)),
  post: (body: { message: AnonymousText; proof: ProofOut; language?: string }) =>
    send<AnonymousQueued>("/v1/anonymous-reviews", json(body)),
  list: (dentist: string) => send<AnonymousPage | AnonymousReviewOut[]>(`/v1/dentists/${dentist}/anonymous-reviews`),
  review: (id: string) => send<AnonymousReviewOut>(`/v1/anonymous-reviews/${encodeURIComponent(id)}`),
};

/** The list route's items, whether it answers a page or a bare list. */
export function itemsOf(answer: AnonymousPage | AnonymousReviewOut[]): AnonymousReviewOut[] {
  return Array.isArray(answer) ? answer : answer.items ?? [];
}
