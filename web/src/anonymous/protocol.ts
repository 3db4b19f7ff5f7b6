// What the page and the proof worker say to each other.
import type { ProofOut } from "./api";

export type WorkerRequest =
  | { kind: "prove"; secret: string; members: string[]; root: string; message: string; scope: string }
  | { kind: "verify"; proof: ProofOut; message: string; scope: string }
  | { kind: "root"; members: string[] };

export type WorkerAnswer =
  | { kind: "proof"; proof: ProofOut }
  | { kind: "verified"; valid: boolean }
  | { kind: "root"; root: string; depth: number }
  | { kind: "error"; error: string };
