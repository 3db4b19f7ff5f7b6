// The signed-in patient's side of the API: their own reviews, rewards and full proofs.
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
};

/** Where "My reviews" leaves a full proof for the verification page (this tab only). */
export const FULL_PROOF_KEY = "dentareview.fullProof";
