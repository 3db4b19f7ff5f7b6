// The service's JSON API, typed as the pages use it.

export interface Policy {
  review_window_days: number;
  text_min_chars: number;
  text_max_chars: number;
  text_min_words: number;
  max_deadline_ahead_seconds: number;
  rating_min: number;
  rating_max: number;
  bayesian_prior_count: number;
  bayesian_prior_mean: number;
  reply_max_chars?: number;
  reply_max_versions?: number;
}

export interface ChainFacts {
  chainId: number;
  registry: string;
  token: string;
  /** AnonymousReviews and Semaphore's verifier (absent or null on older deployments) */
  anonymousReviews?: string | null;
  semaphoreVerifier?: string | null;
  tokenSymbol: string | null;
  tokenDecimals: number | null;
  rewardAmount: string;
  chainReachable: boolean;
  rpcUrl?: string | null;
  finality?: string;
  policy: Policy;
}

export interface Eip712 {
  domain: Record<string, unknown>;
  types: Record<string, { name: string; type: string }[]>;
}

/** The practice's public reply as a review shows it: its latest signed version. */
export interface ReplySummary {
  text: string;
  signedAt: number;
  firstSignedAt: number;
  edited: boolean;
  versions: number;
  digest: string;
  dentist: string;
  /** the latest version's digest on-chain (anchorStatements) */
  anchor?: StatementAnchor | null;
}

export interface StatementAnchor {
  status: "pending" | "anchored";
  final: boolean;
  txHash: string | null;
  blockNumber: number | null;
  anchoredAt: number | null;
}

export interface ReviewOut {
  id: number;
  visitId: string;
  dentist: string;
  rating: number;
  treatment: number;
  bedside: number;
  waitTime: number;
  text: string;
  /** The language the page was in when the patient wrote (unsigned, display only); null when unknown. */
  language?: string | null;
  digest: string;
  status: string;
  submittedAt: number;
  anchoredAt: number | null;
  txHash: string | null;
  blockNumber: number | null;
  logIndex: number | null;
  rewarded: boolean;
  final?: boolean;
  failureCode?: string | null;
  failureReason?: string | null;
  /** the public named state; an erased or removed review has no text and null ratings */
  state?: "published" | "edited" | "erased" | "under_review" | "removed";
  stateLabel?: string | null;
  /** the latest edit's digest (the review's own before any edit) */
  latestDigest?: string | null;
  reply?: ReplySummary | null;
  /** operators' recorded decisions, oldest first */
  decisions?: Decision[];
}

export interface Decision {
  action: "keep" | "remove" | "under_review";
  reason: string;
  reasonLabel: string;
  note: string | null;
  operator: string;
  decidedAt: number;
}

export interface ReviewPage {
  dentist: string;
  total: number;
  items: ReviewOut[];
}

export interface Reputation {
  dentist: string;
  name: string;
  count: number;
  mean: number | null;
  bayesianScore: number | null;
  prior: { count: number; mean: number };
  treatment: number | null;
  bedside: number | null;
  waitTime: number | null;
  histogram: Record<string, number>;
  trend: { month: string; count: number; mean: number | null }[];
  pendingCount: number;
}

export interface DirectoryEntry {
  address: string;
  name: string;
  active: boolean;
  count: number;
  mean: number | null;
  bayesianScore: number | null;
  verified: boolean;
  city: string | null;
  country: string | null;
  acceptingNewPatients: boolean | null;
  languages: string[];
}

export type DirectorySort = "score" | "reviews" | "name";

/** What the directory's form asks: every filter optional ("" or null for any). */
export interface DirectorySearch {
  q: string;
  minRating: string;
  language: string;
  acceptingNewPatients: boolean | null;
  sort: DirectorySort;
}

export interface DirectoryPage {
  q: string;
  minRating: number | null;
  language: string | null;
  acceptingNewPatients: boolean | null;
  sort: DirectorySort;
  total: number;
  limit: number;
  offset: number;
  items: DirectoryEntry[];
  languageChoices: string[];
}

/** A practice's details: a business's own, public (GET /v1/dentists/{address}/details). */
export interface PracticeDetails {
  dentist: string;
  name: string;
  street: string | null;
  city: string | null;
  postalCode: string | null;
  country: string | null;
  phone: string | null;
  website: string | null;
  hours: string | null;
  languages: string[];
  acceptingNewPatients: boolean | null;
  latitude: number | null;
  longitude: number | null;
  updatedAt: number | null;
  languageChoices: string[];
}

/** The query string of a directory search: only what is set, so links stay short. */
export function directoryQuery(search: Partial<DirectorySearch>, extra: Record<string, string> = {}): URLSearchParams {
  const params = new URLSearchParams();
  if (search.q) params.set("q", search.q);
  if (search.minRating) params.set("minRating", search.minRating);
  if (search.language) params.set("language", search.language);
  if (search.acceptingNewPatients !== null && search.acceptingNewPatients !== undefined) {
    params.set("acceptingNewPatients", String(search.acceptingNewPatients));
  }
  if (search.sort && search.sort !== "score") params.set("sort", search.sort);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params;
}

/** What an invitation link shows anyone: nothing of the patient, nor the visit's time. */
export interface PublicInvitation {
  visitId: string;
  dentist: string;
  dentistName: string;
  dentistActive: boolean;
  review: { id: number; status: string } | null;
}

/** The visit itself: for its patient and its practice, signed in. */
export interface Invitation extends PublicInvitation {
  patient: string;
  visitedAt: number;
  reviewClosesAt: number;
}

export interface Submitted {
  id: number;
  digest: string;
  status: string;
  rewarded: boolean;
  reward: {
    rewarded: boolean;
    amount: string;
    status: string;
    reasonCode: string | null;
    reason: string | null;
  };
  txHash: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

async function parse<T>(response: Response): Promise<T> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; field?: string } })?.error;
    throw new ApiError(
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? response.statusText,
      response.status,
      error?.field,
    );
  }
  return body as T;
}

export async function send<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError("NETWORK", "the service cannot be reached", 0);
  }
  return parse<T>(response);
}

export const api = {
  chain: () => send<ChainFacts>("/v1/chain"),
  eip712: () => send<Eip712>("/v1/eip712"),
  /** `search`: the text alone, or the text with filters and the order. */
  directory: (search: string | Partial<DirectorySearch>, offset: number, limit = 20) =>
    send<DirectoryPage>(
      `/v1/dentists?${directoryQuery(typeof search === "string" ? { q: search } : search, { offset: String(offset), limit: String(limit) })}`,
    ),
  details: (address: string) => send<PracticeDetails>(`/v1/dentists/${address}/details`),
  reputation: (address: string) => send<Reputation>(`/v1/dentists/${address}/reputation`),
  reviews: (address: string, limit = 50, offset = 0) =>
    send<ReviewPage>(
      `/v1/dentists/${address}/reviews?limit=${limit}&offset=${offset}&includePending=true`,
    ),
  review: (id: number) => send<ReviewOut>(`/v1/reviews/${id}`),
  proof: (id: number) => send<unknown>(`/v1/reviews/${id}/proof`),
  invitation: (visitId: string) => send<PublicInvitation>(`/v1/visits/${visitId}/invitation`),
  visit: (visitId: string) => send<Invitation>(`/v1/visits/${visitId}`),
  postReview: (body: unknown) =>
    send<Submitted>("/v1/reviews", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
};
