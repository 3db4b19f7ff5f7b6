// The patient's passkey as their wallet: made at check-in on the patient's own device, it
// controls a smart account (PasskeyAccount) whose address the practice's visit names. A
// passkey signature of a 32-byte hash is the WebAuthn assertion whose challenge is that
// hash, ABI-encoded as OpenZeppelin's WebAuthn.WebAuthnAuth with s in its low form; an
// account not deployed yet wraps it per ERC-6492 so that the chain checks it from the
// public key. `passkeyWallet` answers the few EIP-1193 calls the pages make, so the
// invitation and the patient's page sign with a passkey as they do with any wallet.
// viem and the P-256 curve are loaded only when a passkey signs, so that a page which only
// makes a passkey or offers one (check-in, the invitation) stays small.
// Messages: namespace "signin"; a page using this module loads it first.
import type { Hex } from "viem";
import { ApiError, send } from "./api";
import { t } from "./i18n";
import { Eip1193, WalletError } from "./wallet";

export interface PasskeyFacts {
  account: string;
  credentialId: string;
  qx: string;
  qy: string;
  factory: string;
  deployed: boolean;
  /** token units the account holds, or null when the chain cannot be read */
  rewardBalance: string | null;
  /** the nonce the account's next signed Transfer uses */
  transferNonce: string;
}

export interface Registered {
  account: string;
  credentialId: string;
  checkinCode: string;
  practice: { code: string; address: string; name: string };
}

export interface CheckinPractice {
  code: string;
  address: string;
  name: string;
}

export const passkeyApi = {
  practice: (code: string) => send<CheckinPractice>(`/v1/checkin/${encodeURIComponent(code)}`),
  challenge: () => send<{ challenge: string; rpId: string; expiresAt: number }>("/v1/passkeys/challenge", { method: "POST" }),
  register: (code: string, credential: unknown) =>
    send<Registered>(`/v1/checkin/${encodeURIComponent(code)}/passkey`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ credential }),
    }),
  ofAccount: (account: string) => send<PasskeyFacts>(`/v1/passkeys/accounts/${account}`),
  ofCredential: (credentialId: string) => send<PasskeyFacts>(`/v1/passkeys/credentials/${credentialId}`),
};

/** The user cancelled or timed out the device's prompt (WebAuthn NotAllowedError). */
export class PasskeyCancelled extends Error {}

/** The same, as the EIP-1193 error a wallet gives when the user declines (4001). */
export class PasskeyDeclined extends WalletError {
  constructor(message: string) {
    super(4001, message);
  }
}

const STORE = "dentareview.passkey";

export interface Remembered {
  account: string;
  credentialId: string;
  checkinCode?: string;
  practiceName?: string;
}

/** The passkey this browser made or used last: its account and credential id (public). */
export function remembered(): Remembered | null {
  try {
    const value = JSON.parse(localStorage.getItem(STORE) ?? "null") as Remembered | null;
    return value && typeof value.account === "string" && typeof value.credentialId === "string" ? value : null;
  } catch {
    return null;
  }
}

export function remember(value: Remembered): void {
  localStorage.setItem(STORE, JSON.stringify(value));
}

export function passkeysSupported(): boolean {
  return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

function b64url(bytes: ArrayBuffer | Uint8Array): string {
  const array = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (const byte of array) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function cancelledOr(error: unknown): unknown {
  const name = (error as { name?: string })?.name;
  return name === "NotAllowedError" || name === "AbortError" ? new PasskeyCancelled(String(error)) : error;
}

/** Make the patient's passkey (ES256, resident, user verification) for the service's
 * challenge; the registration as the JSON the service verifies. No personal data: the
 * name the device shows is "DentaReview patient" and the date. */
export async function createPasskey(challenge: string, rpId: string): Promise<Record<string, unknown>> {
  let credential: PublicKeyCredential;
  try {
    credential = (await navigator.credentials.create({
      publicKey: {
        challenge: fromB64url(challenge),
        rp: { id: rpId, name: "DentaReview" },
        user: {
          id: crypto.getRandomValues(new Uint8Array(20)),
          name: `${t("signin.deviceName")} ${new Date().toISOString().slice(0, 10)}`,
          displayName: t("signin.deviceName"),
        },
        pubKeyCredParams: [{ type: "public-key", alg: -7 }],
        authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
        attestation: "none",
        timeout: 120_000,
        // PRF (hmac-secret), where the authenticator has it: the passkey can then also open
        // the patient's anonymous identity (anonymous/identity.ts). Ignored elsewhere.
        extensions: { prf: {} } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential;
  } catch (error) {
    throw cancelledOr(error);
  }
  if (!credential) throw new PasskeyCancelled("no credential");
  const response = credential.response as AuthenticatorAttestationResponse;
  return {
    id: credential.id,
    rawId: b64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: b64url(response.clientDataJSON),
      attestationObject: b64url(response.attestationObject),
      transports: response.getTransports?.() ?? [],
    },
    clientExtensionResults: {},
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
  };
}

interface Assertion {
  credentialId: string;
  authenticatorData: Uint8Array;
  clientDataJSON: string;
  signature: Uint8Array;
}

async function assert(challenge: Uint8Array<ArrayBuffer>, credentialId: string | null): Promise<Assertion> {
  let credential: PublicKeyCredential;
  try {
    credential = (await navigator.credentials.get({
      publicKey: {
        challenge,
        allowCredentials: credentialId ? [{ type: "public-key", id: fromB64url(credentialId) }] : [],
        userVerification: "required",
        timeout: 120_000,
      },
    })) as PublicKeyCredential;
  } catch (error) {
    throw cancelledOr(error);
  }
  if (!credential) throw new PasskeyCancelled("no credential");
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    credentialId: b64url(credential.rawId),
    authenticatorData: new Uint8Array(response.authenticatorData),
    clientDataJSON: new TextDecoder().decode(response.clientDataJSON),
    signature: new Uint8Array(response.signature),
  };
}

/** A discoverable prompt: which of this site's passkeys the device holds (a new phone). */
export async function findPasskey(): Promise<PasskeyFacts> {
  const found = await assert(crypto.getRandomValues(new Uint8Array(32)), null);
  return passkeyApi.ofCredential(found.credentialId);
}

/** The WebAuthnAuth encoding OpenZeppelin's WebAuthn.tryDecodeAuth reads. */
async function encodeAuth(found: Assertion): Promise<Hex> {
  const { p256 } = await import("@noble/curves/p256");
  const { bytesToHex, encodeAbiParameters, toHex } = await import("viem");
  // The DER signature parsed by noble (never by hand); OZ's P256 refuses a high s.
  const signature = p256.Signature.fromDER(found.signature).normalizeS();
  const json = found.clientDataJSON;
  return encodeAbiParameters(
    [
      { name: "r", type: "bytes32" },
      { name: "s", type: "bytes32" },
      { name: "challengeIndex", type: "uint256" },
      { name: "typeIndex", type: "uint256" },
      { name: "authenticatorData", type: "bytes" },
      { name: "clientDataJSON", type: "string" },
    ],
    [
      toHex(signature.r, { size: 32 }),
      toHex(signature.s, { size: 32 }),
      BigInt(json.indexOf('"challenge":"')),
      BigInt(json.indexOf('"type":"')),
      bytesToHex(found.authenticatorData),
      json,
    ],
  );
}

const factoryAbi = [
  {
    type: "function",
    name: "createAccount",
    stateMutability: "nonpayable",
    inputs: [{ name: "qx", type: "bytes32" }, { name: "qy", type: "bytes32" }],
    outputs: [{ name: "account", type: "address" }],
  },
] as const;

/** The passkey's signature of `hash`: the assertion whose challenge is the hash, and,
 * while the account is not deployed, the ERC-6492 wrapping that names its factory call
 * (`raw`: never wrapped, for the account's own transfers, which deploy it first). */
export async function signHash(hash: Hex, facts: PasskeyFacts, raw = false): Promise<Hex> {
  const { encodeFunctionData, getAddress, hexToBytes, serializeErc6492Signature } = await import("viem");
  const found = await assert(hexToBytes(hash) as Uint8Array<ArrayBuffer>, facts.credentialId);
  if (found.credentialId !== facts.credentialId) throw new WalletError(4100, "another passkey answered");
  const inner = await encodeAuth(found);
  if (raw || facts.deployed) return inner;
  return serializeErc6492Signature({
    address: getAddress(facts.factory),
    data: encodeFunctionData({ abi: factoryAbi, functionName: "createAccount", args: [facts.qx as Hex, facts.qy as Hex] }),
    signature: inner,
  });
}

/** An EIP-1193 provider over the passkey: accounts, chain, personal_sign and
 * eth_signTypedData_v4, each signature made by the passkey. */
export function passkeyWallet(facts: PasskeyFacts, chainId: number): Eip1193 {
  return {
    async request({ method, params }) {
      const args = (params ?? []) as unknown[];
      try {
        const { getAddress, hashMessage, hashTypedData, isHex, toHex } = await import("viem");
        const account = getAddress(facts.account);
        const mine = (who: unknown) => {
          if (typeof who !== "string" || getAddress(who) !== account) throw new WalletError(4100, "not this passkey's account");
        };
        switch (method) {
          case "eth_requestAccounts":
          case "eth_accounts":
            return [account];
          case "eth_chainId":
            return toHex(chainId);
          case "wallet_switchEthereumChain":
            return null;
          case "personal_sign": {
            mine(args[1]);
            const text = args[0] as string;
            return await signHash(hashMessage(isHex(text) ? { raw: text } : text), facts);
          }
          case "eth_signTypedData_v4": {
            mine(args[0]);
            const typed = JSON.parse(args[1] as string);
            const types = { ...typed.types };
            delete types.EIP712Domain;
            return await signHash(hashTypedData({ ...typed, types }), facts);
          }
          default:
            throw new WalletError(4200, `${method} is not supported by a passkey`);
        }
      } catch (error) {
        if (error instanceof PasskeyCancelled) throw new PasskeyDeclined(error.message);
        throw error;
      }
    },
  };
}

/** The passkey account of this browser (or of `account`), with its current facts. */
export async function passkeyFacts(account?: string): Promise<PasskeyFacts | null> {
  const known = account ?? remembered()?.account;
  if (!known) return null;
  try {
    return await passkeyApi.ofAccount(known);
  } catch (error) {
    if (error instanceof ApiError && error.code === "PASSKEY_NOT_FOUND") return null;
    throw error;
  }
}

/** What to tell the patient when the passkey prompt failed. */
export function explainPasskey(error: unknown): string {
  if (error instanceof PasskeyCancelled) return t("signin.passkeyCancelled");
  if (error instanceof PasskeyDeclined) return t("signin.passkeyCancelled");
  if (error instanceof ApiError) {
    if (error.code === "PASSKEY_ORIGIN_MISMATCH") return t("signin.passkeyOtherSite");
    if (error.code === "PASSKEY_CHALLENGE_UNKNOWN") return t("signin.passkeyTooLong");
    if (error.code === "CHECKIN_NOT_FOUND") return t("signin.checkinUnknown");
  }
  return t("signin.passkeyFailed");
}
