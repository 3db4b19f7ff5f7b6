// The signed-in patient's side of the API: their own reviews, rewards and full proofs,
// and the edits and erasures they sign.
import { ReviewOut, send } from "../api";

export interface OwnReward {
  rewarded: boolean;
  amount: string;
  status: "pending" | "paid" | "queued" | "none";
  reasonCode: string | null;
  reason: string | null;
}

export interface OwnReview extends ReviewOut {
  visitedAt: number;
  reward: OwnReward;
  /** signed versions: the review and each edit */
  versions?: number;
  /** the latest signed version's digest: what an edit names as `previousDigest` */
  latestDigest?: string | null;
}

/** The answer to an edit or erasure the patient signed. */
export interface Revision {
  reviewId: number;
  seq: number;
  kind: "edit" | "erasure";
  digest: string;
  state: "edited" | "erased";
}

function post<T>(path: string, body: unknown): Promise<T> {
  return send<T>(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

export interface OwnReviewPage {
  patient: string;
  total: number;
  limit: number;
  offset: number;
  items: OwnReview[];
}

export interface OwnRewards {
  patient: string;
  earned: string;
  paid: string;
  pending: string;
  queued: string;
  onChainBalance: string | null;
  items: { reviewId: number; amount: string; status: "pending" | "paid" | "queued"; txHash: string | null }[];
}

export const meApi = {
  reviews: (limit: number, offset: number) =>
    send<OwnReviewPage>(`/v1/me/reviews?${new URLSearchParams({ limit: String(limit), offset: String(offset) })}`),
  rewards: () => send<OwnRewards>("/v1/me/rewards"),
  proof: (id: number) => send<unknown>(`/v1/me/reviews/${id}/proof`),
  /** `{message: ReviewEdit, signature}` signed by the review's patient. */
  edit: (id: number, body: { message: Record<string, unknown>; signature: string }) =>
    post<Revision>(`/v1/reviews/${id}/edit`, body),
  /** `{message: ReviewErasure, signature}` signed by the review's patient. */
  erase: (id: number, body: { message: Record<string, unknown>; signature: string }) =>
    post<Revision>(`/v1/reviews/${id}/erase`, body),
};

/** Where "My reviews" leaves a full proof for the verification page (this tab only),
 * with its review's id so that the page can fetch the current one. */
const FULL_PROOF_KEY = "dentareview.fullProof";

export function handOverFullProof(reviewId: number, text: string): void {
  window.sessionStorage.setItem(FULL_PROOF_KEY, JSON.stringify({ reviewId, text }));
}

export function handedOverFullProof(): { reviewId: number; text: string } | null {
  try {
    const stored = JSON.parse(window.sessionStorage.getItem(FULL_PROOF_KEY) ?? "null") as { reviewId?: unknown; text?: unknown } | null;
    if (stored && typeof stored.reviewId === "number" && typeof stored.text === "string") return { reviewId: stored.reviewId, text: stored.text };
  } catch {
    // nothing usable was left
  }
  return null;
}
