// The dentist's side of the API (sign-in is in ../signin): the practice, visits, the dashboard.
import { send } from "../api";

export interface Practice {
  address: string;
  name: string;
  active: boolean;
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
  replies: { reviews: number; replied: number; rate: number | null; medianSecondsToReply: number | null };
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
  practice: () => send<Practice>("/v1/practice"),
  dashboard: () => send<Dashboard>("/v1/practice/dashboard"),
  postVisit: (message: VisitMessage, signature: string) =>
    send<{ visitId: string }>("/v1/visits", json({ message, signature })),
};
