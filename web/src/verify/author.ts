// The patient's later word on a review, checked in the browser: signed edits and an
// erasure (`author` in the proof), each hashing to its digest, naming what it supersedes,
// signed by the patient (full proof) and anchored by the registry (StatementAnchored).
// Mirrors `check_author` and `check_author_anchors` of `dentareview verify`.
import {
  concat,
  decodeEventLog,
  encodeAbiParameters,
  getAddress,
  hashDomain,
  hashTypedData,
  type Hex,
  keccak256,
  type PublicClient,
  recoverAddress,
  toHex,
} from "viem";
import { registryAbi } from "../abi";
import { t } from "../i18n";
import { PROTOCOL_TYPES } from "./types";

type Field = { name: string; type: string };
type Domain = { name: string; version: string; chainId: number; verifyingContract: string };

export interface Revision {
  kind: "edit" | "erasure";
  primaryType: "ReviewEdit" | "ReviewErasure";
  message: Record<string, unknown>;
  digest: Hex;
  textHash?: Hex;
  signature?: Hex;
  anchor?: { txHash: Hex; blockNumber: number };
}

export interface Author {
  state: "edited" | "erased";
  label?: string;
  revisions: Revision[];
}

// Edits carry the Review's own members after a previousDigest (see typed_data.EIP712_TYPES).
const [visitIdField, ...reviewContent] = PROTOCOL_TYPES.Review;
export const REVISION_TYPES: Record<string, Field[]> = {
  ReviewEdit: [visitIdField, { name: "previousDigest", type: "bytes32" }, ...reviewContent],
  ReviewErasure: [
    visitIdField,
    { name: "digest", type: "bytes32" },
    { name: "deadline", type: "uint64" },
  ],
};

const erc1271Abi = [
  {
    type: "function",
    name: "isValidSignature",
    stateMutability: "view",
    inputs: [{ name: "hash", type: "bytes32" }, { name: "signature", type: "bytes" }],
    outputs: [{ name: "magicValue", type: "bytes4" }],
  },
] as const;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** "Edit 2", "Erasure 3": a change named by its place in the history. */
const changeName = (revision: Revision, index: number): string =>
  t(revision.kind === "edit" ? "verify.editN" : "verify.erasureN", { n: index + 1 });

/** The EIP-712 digest of a message whose `text` was erased and only keccak256(text) kept:
 * EIP-712 encodes a string as exactly that hash, so the digest is still computable. */
export function digestWithTextHash(domain: Domain, primaryType: string, fields: Field[], message: Record<string, unknown>, textHash: Hex): Hex {
  const signature = `${primaryType}(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`;
  const types = [{ type: "bytes32" }, ...fields.map((f) => ({ type: f.type === "string" ? "bytes32" : f.type }))];
  const values = [keccak256(toHex(signature)), ...fields.map((f) => (f.type === "string" ? textHash : message[f.name]))];
  const structHash = keccak256(encodeAbiParameters(types, values));
  const separator = hashDomain({
    domain: { ...domain, chainId: BigInt(domain.chainId), verifyingContract: getAddress(domain.verifyingContract) },
    types: { EIP712Domain: PROTOCOL_TYPES.EIP712Domain },
  } as Parameters<typeof hashDomain>[0]);
  return keccak256(concat(["0x1901", separator, structHash]));
}

function revisionDigest(domain: Domain, revision: Revision): Hex | null {
  const fields = REVISION_TYPES[revision.primaryType];
  if (!fields) return null;
  try {
    if (revision.textHash && revision.message.text === undefined) {
      return digestWithTextHash(domain, revision.primaryType, fields, revision.message, revision.textHash);
    }
    return hashTypedData({
      domain: { ...domain, verifyingContract: getAddress(domain.verifyingContract) },
      types: { [revision.primaryType]: fields },
      primaryType: revision.primaryType,
      message: revision.message,
    } as Parameters<typeof hashTypedData>[0]);
  } catch {
    return null;
  }
}

const registrySignaturesAbi = [
  {
    type: "function",
    name: "isValidSignatureNow",
    stateMutability: "view",
    inputs: [{ name: "signer", type: "address" }, { name: "hash", type: "bytes32" }, { name: "signature", type: "bytes" }],
    outputs: [{ name: "", type: "bool" }],
  },
] as const;

/** An ERC-6492 signature ends with 0x6492 repeated (a passkey account not deployed yet). */
export const isErc6492 = (signature: Hex): boolean => signature.length > 66 && signature.toLowerCase().endsWith("6492".repeat(16));

/** Whether `account` signed `hash`: ECDSA, or a smart-contract account's answer. Given the
 * proof's `registry`, that is asked of the registry's `isValidSignatureNow` (ERC-1271 and
 * ERC-6492 passkeys, deployed or not); else of the account itself (ERC-1271). */
export async function signedBy(client: PublicClient | null, account: string, hash: Hex, signature: Hex, registry?: string): Promise<boolean> {
  try {
    if (same(await recoverAddress({ hash, signature }), account)) return true;
  } catch {
    // not an ECDSA signature: maybe a smart account's
  }
  if (!client) return false;
  try {
    if (registry) {
      return await client.readContract({ address: getAddress(registry), abi: registrySignaturesAbi, functionName: "isValidSignatureNow", args: [getAddress(account), hash, signature] });
    }
    const code = await client.getCode({ address: getAddress(account) });
    if (!code || code === "0x") return false;
    const answer = await client.readContract({ address: getAddress(account), abi: erc1271Abi, functionName: "isValidSignature", args: [hash, signature] });
    return same(answer, "0x1626ba7e");
  } catch {
    return false;
  }
}

export interface AuthorVerdict {
  /** "wait": a genuine change not anchored yet, which settles on its own. */
  verdict: "pass" | "fail" | "wait";
  detail: string;
}

const ok = (detail: string): AuthorVerdict => ({ verdict: "pass", detail });
const bad = (detail: string): AuthorVerdict => ({ verdict: "fail", detail });

/** The signed edits and erasure: each hashes to its digest, each names what it
 * supersedes, and (with `patient`, a full proof) each is signed by the patient. */
export async function checkAuthor(
  author: Author, domain: Domain, visitId: Hex, reviewDigest: Hex, erasedText: boolean, patient: string | null, client: PublicClient | null,
): Promise<AuthorVerdict> {
  let latest: string = reviewDigest;
  let erasure: Revision | null = null;
  for (const [index, revision] of author.revisions.entries()) {
    const what = changeName(revision, index);
    const digest = revisionDigest(domain, revision);
    if (!digest || !same(digest, revision.digest)) return bad(t("verify.revisionHash", { what }));
    if (!same(String(revision.message.visitId), visitId)) return bad(t("verify.revisionVisit", { what }));
    const named = String(revision.kind === "edit" ? revision.message.previousDigest : revision.message.digest);
    const expected = revision.kind === "edit" ? latest : reviewDigest;
    if (!same(named, expected)) return bad(t("verify.revisionNames", { what, named, expected }));
    if (patient) {
      if (!revision.signature || !(await signedBy(client, patient, digest, revision.signature))) {
        return bad(t("verify.revisionNotSigned", { what, patient }));
      }
    }
    if (revision.kind === "edit") latest = digest;
    else erasure = revision;
  }
  const edits = author.revisions.filter((r) => r.kind === "edit").length;
  const who = t(patient ? "verify.whoPatient" : "verify.whoFullProof");
  if (author.state === "erased") {
    if (!erasure || !erasedText) return bad(t("verify.erasedMissing"));
    return ok(edits ? t("verify.erasedOkAfterEdits", { who, count: edits }) : t("verify.erasedOk", { who }));
  }
  if (erasure) return bad(t("verify.erasureButText"));
  return ok(t("verify.editedOk", { who, count: edits }));
}

/** Each edit and erasure is anchored: its StatementAnchored log is in the stated
 * transaction, and statementAnchoredAt(digest) is that block's time. */
export async function checkAuthorAnchors(client: PublicClient, registry: Hex, author: Author): Promise<AuthorVerdict> {
  for (const [index, revision] of author.revisions.entries()) {
    const what = changeName(revision, index);
    const anchor = revision.anchor;
    if (!anchor) return { verdict: "wait", detail: t("verify.changePending", { what }) };
    let receipt;
    try {
      receipt = await client.getTransactionReceipt({ hash: anchor.txHash });
    } catch {
      receipt = null;
    }
    if (!receipt || receipt.status !== "success" || Number(receipt.blockNumber) !== anchor.blockNumber) {
      return bad(t("verify.changeNotInBlock", { what, tx: anchor.txHash, block: String(anchor.blockNumber) }));
    }
    const logged = receipt.logs.some((log) => {
      if (!same(log.address, registry)) return false;
      try {
        const event = decodeEventLog({ abi: registryAbi, data: log.data, topics: log.topics });
        return event.eventName === "StatementAnchored" && same(event.args.digest, revision.digest);
      } catch {
        return false;
      }
    });
    if (!logged) return bad(t("verify.changeNoEvent", { what, tx: anchor.txHash }));
    const at = await client.readContract({ address: registry, abi: registryAbi, functionName: "statementAnchoredAt", args: [revision.digest] });
    const block = await client.getBlock({ blockNumber: BigInt(anchor.blockNumber) });
    if (at !== block.timestamp) return bad(t("verify.changeRecordMismatch", { what, block: String(anchor.blockNumber) }));
  }
  return ok(t("verify.changesAnchored", { count: author.revisions.length }));
}
