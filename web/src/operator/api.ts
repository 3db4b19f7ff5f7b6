// The operator's side of the API: who is signed in, flags and decisions, anomaly
// signals, recording dentists after the admin wallet's transaction, queue health.
import { send } from "../api";

export interface OperatorMe {
  address: string;
}

export interface OpenFlag {
  id: number;
  reviewId: number;
  reason: string;
  createdAt: number;
  state: "under_review" | "removed" | null;
}

/** A report of an anonymous review (keyed by its 0x-hex id). */
export interface AnonymousFlag {
  id: number;
  anonymousReviewId: string;
  reason: string;
  createdAt: number;
  state: "under_review" | "removed" | null;
}

export interface UnderReview {
  reviewId: number;
  reason: string;
  reasonLabel: string;
}

export interface DecisionResult {
  id: number;
  /** the named review's id; null for an anonymous review's decision */
  reviewId: number | null;
  anonymousReviewId?: string | null;
  action: string;
  reason: string;
  note: string | null;
  operator: string;
  createdAt: number;
  resolvedFlags: number;
}

export interface Signal {
  name: "new_wallets" | "burst" | "rating_shift";
  raised: boolean;
  value: number;
  threshold: number;
  detail: string;
  reviewIds: number[];
}

export interface Signals {
  dentist: string;
  signals: Signal[];
  marked: number[];
}

export interface DentistRecord {
  address: string;
  name: string;
  active: boolean;
}

export interface NameDecision {
  id: number;
  dentist: string;
  oldName: string;
  newName: string;
  reason: string;
  decidedBy: string;
  channel: "operator" | "cli";
  decidedAt: number;
}

export interface QueueHealth {
  pending: number;
  inFlight: number;
  waiting: number;
  failed: number;
  notFinal: number;
  problem: string | null;
  checkedAt: number | null;
  lastAnchor: { blockNumber: number; anchoredAt: number; txHash: string } | null;
  feesWei: string;
  feeTransactions: number;
  uncountedTransactions: number;
}

const post = (body?: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: body === undefined ? undefined : JSON.stringify(body),
});

export const operatorApi = {
  me: () => send<OperatorMe>("/v1/operator"),
  queue: () => send<QueueHealth>("/v1/operator/queue"),
  flags: () => send<OpenFlag[]>("/v1/moderation/flags?limit=100"),
  underReview: () => send<UnderReview[]>("/v1/moderation/under-review?limit=100"),
  decide: (reviewId: number, action: string, reason: string, note: string | null) =>
    send<DecisionResult>(`/v1/moderation/reviews/${reviewId}/decisions`, post({ action, reason, note })),
  anonymousFlags: () => send<AnonymousFlag[]>("/v1/moderation/anonymous-flags?limit=100"),
  decideAnonymous: (id: string, action: string, reason: string, note: string | null) =>
    send<DecisionResult>(`/v1/moderation/anonymous-reviews/${encodeURIComponent(id)}/decisions`, post({ action, reason, note })),
  signals: (dentist: string) => send<Signals>(`/v1/moderation/dentists/${dentist}/signals`),
  mark: (dentist: string) => send<Signals>(`/v1/moderation/dentists/${dentist}/signals/mark`, post()),
  recordDentist: (address: string, name: string) =>
    send<DentistRecord>("/v1/operator/dentists", post({ address, name })),
  recordDeactivation: (address: string) =>
    send<DentistRecord>(`/v1/operator/dentists/${address}/deactivation`, post()),
  rename: (address: string, name: string, reason: string) =>
    send<NameDecision>(`/v1/operator/dentists/${address}/name`, post({ name, reason })),
  nameDecisions: () => send<NameDecision[]>("/v1/operator/name-decisions?limit=50"),
};
