// Flags and moderation decisions as the pages show them: the fixed reason lists (the same
// as the service's), the flag call anyone may make, and a review's public moderation line.
import { send } from "./api";

export const FLAG_REASONS: [string, string][] = [
  ["harmful_or_illegal", "Harmful or illegal"],
  ["personal_information", "Personal information"],
  ["advertising", "Advertising"],
  ["not_genuine", "Not a genuine experience"],
  ["wrong_business", "Wrong business"],
];

/** Reasons an operator may give: a flag reason (to remove), or these (to keep). */
export const KEEP_REASONS: [string, string][] = [
  ["no_violation", "No violation found"],
  ["anomaly", "Checked after unusual activity"],
];

export interface FlagResult {
  id: number;
  reviewId: number;
  reason: string;
  createdAt: number;
  state: "under_review" | "removed" | null;
}

/** A report of an anonymous review: the same reasons, limits and states as a named one's. */
export interface AnonymousFlagResult {
  id: number;
  anonymousReviewId: string;
  reason: string;
  createdAt: number;
  state: "under_review" | "removed" | null;
}

export function flagAnonymousReview(id: string, reason: string): Promise<AnonymousFlagResult> {
  return send<AnonymousFlagResult>(`/v1/anonymous-reviews/${encodeURIComponent(id)}/flags`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ reason }),
  });
}

export function flagReview(reviewId: number, reason: string): Promise<FlagResult> {
  return send<FlagResult>(`/v1/reviews/${reviewId}/flags`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ reason }),
  });
}
