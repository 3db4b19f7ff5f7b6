// The patient's anonymous identity, on their device only: its secret is the wallet's
// signature of a fixed text (deterministic), or a passkey's PRF output for a fixed salt.
// The service never sees the secret: it receives the identity's commitment (to join a
// practice's group) and, later, a proof made from the secret. The secret stays in this
// page's memory; what this device keeps (store.ts) is public: commitments and the reward
// addresses it derived.
import type { Hex } from "viem";
import { call, type Eip1193 } from "../wallet";
import { IDENTITY_TEXT, PRF_SALT_TEXT, REWARD_PREFIX } from "./typed";

export type IdentitySource =
  | { kind: "wallet"; provider: Eip1193; account: string }
  | { kind: "passkey"; credentialId: string };

/** The authenticator gave no PRF output: this passkey cannot hold an anonymous identity. */
export class NoPrf extends Error {}

const opened = new Map<string, Hex>();

function keyOf(source: IdentitySource): string {
  return source.kind === "wallet" ? `wallet:${source.account.toLowerCase()}` : `passkey:${source.credentialId}`;
}

/** Whether the secret is already open in this page (no prompt needed). */
export function isOpen(source: IdentitySource): boolean {
  return opened.has(keyOf(source));
}

function fromB64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function hex(bytes: ArrayBuffer | Uint8Array): Hex {
  const array = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return `0x${Array.from(array, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

async function prfSecret(credentialId: string): Promise<Hex> {
  const salt = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(PRF_SALT_TEXT)));
  const credential = (await navigator.credentials.get({
    publicKey: {
      challenge: crypto.getRandomValues(new Uint8Array(32)),
      allowCredentials: [{ type: "public-key", id: fromB64url(credentialId) }],
      userVerification: "required",
      timeout: 120_000,
      extensions: { prf: { eval: { first: salt } } } as AuthenticationExtensionsClientInputs,
    },
  })) as PublicKeyCredential | null;
  const results = credential?.getClientExtensionResults() as { prf?: { results?: { first?: ArrayBuffer } } } | undefined;
  const first = results?.prf?.results?.first;
  if (!first) throw new NoPrf("the passkey gave no PRF output");
  return hex(first);
}

/** The identity's secret (hex): one wallet signature or one passkey prompt, once per page. */
export async function openSecret(source: IdentitySource): Promise<Hex> {
  const key = keyOf(source);
  const known = opened.get(key);
  if (known) return known;
  const secret = source.kind === "wallet"
    ? await call<Hex>(source.provider, "personal_sign", [hex(new TextEncoder().encode(IDENTITY_TEXT)), source.account])
    : await prfSecret(source.credentialId);
  opened.set(key, secret);
  return secret;
}

/** The identity's commitment (decimal), what a practice's group holds. */
export async function commitmentOf(secret: Hex): Promise<string> {
  const { Identity } = await import("@semaphore-protocol/identity");
  return new Identity(secret).commitment.toString();
}

/** The fresh reward key for a period: keccak256("DentaReview reward" ‖ secret bytes ‖
 * uint256 period). Only this identity's device can derive it again. */
export async function rewardKey(secret: Hex, period: string | number | bigint): Promise<Hex> {
  const { concat, hexToBytes, keccak256, numberToBytes, stringToBytes } = await import("viem");
  return keccak256(concat([stringToBytes(REWARD_PREFIX), hexToBytes(secret), numberToBytes(BigInt(period), { size: 32 })]));
}

/** The fresh reward address for a period (viem's account of the reward key). */
export async function rewardAddress(secret: Hex, period: string | number | bigint): Promise<string> {
  const { privateKeyToAccount } = await import("viem/accounts");
  return privateKeyToAccount(await rewardKey(secret, period)).address;
}
