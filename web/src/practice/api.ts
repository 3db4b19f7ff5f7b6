// The dentist's side of the API: sign-in (SIWE), the practice, visits, the dashboard.
import { send } from "../api";

export interface Practice {
  address: string;
  name: string;
  active: boolean;
}

export interface NonceOffer {
  nonce: string;
  issuedAt: number;
  expiresAt: number;
  domain: string;
  uri: string;
  chainId: number;
  version: string;
}

export interface MonthPoint {
  month: string;
  count: number;
  mean: number | null;
  treatment: number | null;
  bedside: number | null;
  waitTime: number | null;
  cumulativeCount: number;
  bayesianScore: number | null;
}

export interface Dashboard {
  practice: Practice;
  generatedAt: number;
  score: {
    count: number;
    mean: number | null;
    bayesianScore: number | null;
    treatment: number | null;
    bedside: number | null;
    waitTime: number | null;
    histogram: Record<string, number>;
    pendingCount: number;
  };
  months: MonthPoint[];
  funnel: {
    visits: number;
    reviews: number;
    anchored: number;
    rewarded: number;
    reviewRate: number | null;
    medianSecondsToReview: number | null;
  };
  retention: { patients: number; repeatPatients: number; share: number | null; windowDays: number };
}

export interface VisitMessage {
  visitId: string;
  patient: string;
  dentist: string;
  visitedAt: number;
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

export const practiceApi = {
  nonce: () => send<NonceOffer>("/v1/auth/nonce"),
  signIn: (message: string, signature: string) =>
    send<{ address: string }>("/v1/auth/siwe", json({ message, signature })),
  signOut: () => fetch("/v1/auth/logout", { method: "POST" }).then(() => undefined),
  practice: () => send<Practice>("/v1/practice"),
  dashboard: () => send<Dashboard>("/v1/practice/dashboard"),
  postVisit: (message: VisitMessage, signature: string) =>
    send<{ visitId: string }>("/v1/visits", json({ message, signature })),
};
