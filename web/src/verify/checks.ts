// Verify a review proof in the browser: recompute, recover, and read the chain through
// an RPC URL the visitor chooses. Mirrors `dentareview verify` (docs/VERIFYING.md).
import {
  createPublicClient,
  decodeEventLog,
  formatUnits,
  getAddress,
  hashTypedData,
  type Hex,
  http,
  type PublicClient,
  recoverAddress,
  type TransactionReceipt,
} from "viem";
import { registryAbi, tokenAbi } from "../abi";
import { t } from "../i18n";
import { type Author, checkAuthor, checkAuthorAnchors, digestWithTextHash, isErc6492, signedBy } from "./author";
import { leafOf, processProof } from "./merkle";
import { PROTOCOL_TYPES } from "./types";

// "info": not checkable from this proof (a public proof withholds the signatures).
export type Verdict = "pass" | "fail" | "wait" | "info";

export interface Check {
  name: string;
  title: string;
  verdict: Verdict;
  detail: string;
}

type Field = { name: string; type: string };

/** A full proof (the patient's own, with the visit and both signatures) or the public one,
 * which withholds what identifies the patient: the visit and both signatures. */
export interface Proof {
  version: number;
  kind?: "full" | "public";
  reviewId?: number | null;
  chainId: number;
  registry: string;
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  types: Record<string, Field[]>;
  /** `textHash` (keccak256 of the signed text) stands in for `message.text` once the text
   * is withheld: erased by its author, or removed by moderation (public proof). */
  review: { message: Record<string, unknown> & { visitId: Hex }; signature?: Hex; textHash?: Hex };
  visit?: { message: { visitId: Hex; patient: string; dentist: string; visitedAt: number }; signature: Hex };
  dentist?: string;
  withheld?: string[];
  author?: Author;
  digest: Hex;
  anchor:
    | { kind: "single"; txHash: Hex; blockNumber: number; logIndex: number }
    | { kind: "batch"; root: Hex; leafIndex: number; proof: Hex[]; size: number; txHash: Hex; blockNumber: number; logIndex: number };
}

/** Parse pasted text into a proof, or say plainly what is wrong with it. */
export function parseProof(text: string): Proof {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(t("verify.notJson"));
  }
  const p = data as Partial<Proof>;
  const needed = p?.kind === "public"
    ? ["chainId", "registry", "domain", "types", "review", "dentist", "digest", "anchor"]
    : ["chainId", "registry", "domain", "types", "review", "visit", "digest", "anchor"];
  const missing = needed.filter((key) => (p as Record<string, unknown>)?.[key] === undefined);
  if (missing.length) throw new Error(t("verify.notProof", { fields: missing.join(", ") }));
  if (p.version !== 1) throw new Error(t("verify.badVersion"));
  return p as Proof;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const isPublic = (proof: Proof) => proof.kind === "public" || proof.visit === undefined;
/** The visit's dentist: named by the public proof itself, or inside the full proof's visit. */
export const dentistOf = (proof: Proof): string => String(proof.visit?.message.dentist ?? proof.dentist ?? "");
const visitIdOf = (proof: Proof): Hex => proof.review.message.visitId;
const pass = (name: string, title: string, detail: string): Check => ({ name, title, verdict: "pass", detail });
const fail = (name: string, title: string, detail: string): Check => ({ name, title, verdict: "fail", detail });
const info = (name: string, title: string, detail: string): Check => ({ name, title, verdict: "info", detail });

function typedReview(proof: Proof) {
  return {
    domain: { ...proof.domain, verifyingContract: getAddress(proof.domain.verifyingContract) },
    types: { Review: proof.types.Review },
    primaryType: "Review" as const,
    message: proof.review.message,
  };
}

function reviewHash(proof: Proof): Hex {
  const textHash = proof.review.textHash;
  if (textHash && proof.review.message.text === undefined) {
    // Erased by its author or removed by moderation: keccak256(text) stands in for it.
    return digestWithTextHash(proof.domain, "Review", PROTOCOL_TYPES.Review, proof.review.message, textHash);
  }
  return hashTypedData(typedReview(proof) as Parameters<typeof hashTypedData>[0]);
}

function visitHash(proof: Proof): Hex {
  if (!proof.visit) throw new Error("the proof has no visit");
  return hashTypedData({
    domain: { ...proof.domain, verifyingContract: getAddress(proof.domain.verifyingContract) },
    types: { Visit: proof.types.Visit },
    primaryType: "Visit",
    message: proof.visit.message,
  } as Parameters<typeof hashTypedData>[0]);
}

const visitSignersAbi = [
  {
    type: "function",
    name: "visitSignerOf",
    stateMutability: "view",
    inputs: [{ name: "signer", type: "address" }],
    outputs: [{ name: "dentist", type: "address" }, { name: "validUntil", type: "uint64" }],
  },
] as const;

/** A visit signed by `key`: the words saying the registry's `visitSignerOf` covers it (the
 * key speaks for the visit's dentist up to a `validUntil` at or after the visit), or null. */
async function visitKeyCovers(client: PublicClient, proof: Proof, key: string): Promise<string | null> {
  const visit = proof.visit;
  if (!visit) return null;
  try {
    const [dentist, validUntil] = await client.readContract({ address: getAddress(proof.registry), abi: visitSignersAbi, functionName: "visitSignerOf", args: [getAddress(key)] });
    if (!same(dentist, visit.message.dentist) || BigInt(visit.message.visitedAt) > validUntil) return null;
    return t("verify.visitKeyDetail", { key, wallet: visit.message.dentist, chainId: String(proof.chainId), validUntil: String(validUntil) });
  } catch {
    return null;
  }
}

async function recover(hash: Hex, signature: Hex): Promise<string | null> {
  try {
    return await recoverAddress({ hash, signature });
  } catch {
    return null;
  }
}

/** The checks that need no node (the domain, the digest, the signatures by ECDSA); with
 * `client`, a smart-contract account's signature is asked of the node (ERC-1271). */
export async function offlineChecks(proof: Proof, expectedRegistry: string | null, client: PublicClient | null = null): Promise<Check[]> {
  const checks: Check[] = [];
  const d = proof.domain;
  const domainOk = d?.name === "DentaReview" && d.version === "1" && Number(d.chainId) === Number(proof.chainId) && same(String(d.verifyingContract), proof.registry);
  const typesOk = JSON.stringify(proof.types) === JSON.stringify(PROTOCOL_TYPES);
  const domainTitle = t("verify.titleDomain");
  if (!domainOk) checks.push(fail("domain", domainTitle, t("verify.domainWrong")));
  else if (!typesOk) checks.push(fail("domain", domainTitle, t("verify.typesWrong")));
  else if (expectedRegistry && !same(expectedRegistry, proof.registry)) checks.push(fail("domain", domainTitle, t("verify.registryUnexpected", { registry: proof.registry, expected: expectedRegistry })));
  else {
    const where = { chainId: String(proof.chainId), registry: proof.registry };
    checks.push(pass("domain", domainTitle, expectedRegistry ? t("verify.domainOkExpected", where) : t("verify.domainOk", where)));
  }

  let digest: Hex | null = null;
  try {
    digest = reviewHash(proof);
  } catch (error) {
    checks.push(fail("digest", t("verify.titleDigest"), t("verify.digestError", { error: (error as Error).message.split("\n")[0] })));
  }
  const withheld = Boolean(proof.review.textHash) && proof.review.message.text === undefined;
  // A public proof of a review removed by moderation withholds its text and says so.
  const byModeration = withheld && isPublic(proof) && (proof.withheld ?? []).includes("review.message.text");
  const erased = withheld && (proof.author?.state === "erased" || !byModeration);
  if (digest !== null) {
    const ok = !withheld ? "verify.digestOk" : byModeration ? "verify.digestOkModerated" : "verify.digestOkErased";
    checks.push(same(digest, proof.digest)
      ? pass("digest", t("verify.titleDigest"), t(ok, { digest: proof.digest }))
      : fail("digest", t("verify.titleDigest"), t("verify.digestChanged", { computed: digest, digest: proof.digest })));
  }
  const patient = !isPublic(proof) && proof.visit ? proof.visit.message.patient : null;
  if (proof.author) {
    const word = await checkAuthor(proof.author, proof.domain, visitIdOf(proof), proof.digest, erased, patient, client);
    checks.push({ name: "author", title: t("verify.titleAuthor"), ...word });
  } else if (erased) {
    checks.push(fail("author", t("verify.titleAuthor"), t("verify.authorErasedNoSignature")));
  }
  if (isPublic(proof) || !proof.visit || !proof.review.signature) {
    const why = t("verify.withheld");
    checks.push(info("review-signature", t("verify.titleReviewSignature"), why));
    checks.push(info("visit-signature", t("verify.titleVisitSignature"), why));
    return checks;
  }
  const visit = proof.visit;
  if (!same(proof.review.message.visitId, visit.message.visitId)) {
    checks.push(fail("review-signature", t("verify.titleReviewSignature"), t("verify.differentVisits")));
  } else {
    const patientSigned = digest !== null && await signedBy(client, visit.message.patient, digest, proof.review.signature, proof.registry);
    const signer = digest ? await recover(digest, proof.review.signature) : null;
    const byPasskey = patientSigned && isErc6492(proof.review.signature);
    const patient = visit.message.patient;
    checks.push(byPasskey
      ? pass("review-signature", t("verify.titlePasskey"), t("verify.passkeyOk", { chainId: String(proof.chainId), patient }))
      : patientSigned
      ? pass("review-signature", t("verify.titleReviewSignature"), t("verify.patientOk", { patient }))
      : fail("review-signature", t("verify.titleReviewSignature"), t("verify.patientWrong", { signer: signer ?? t("verify.nothing"), patient })));
  }
  let vHash: Hex | null = null;
  try {
    vHash = visitHash(proof);
  } catch {
    vHash = null;
  }
  const dentist = vHash ? await recover(vHash, visit.signature) : null;
  const dentistSigned = vHash !== null && await signedBy(client, visit.message.dentist, vHash, visit.signature, proof.registry);
  const key = !dentistSigned && dentist && client ? await visitKeyCovers(client, proof, dentist) : null;
  checks.push(dentistSigned
    ? pass("visit-signature", t("verify.titleVisitSignature"), t("verify.dentistOk", { dentist: visit.message.dentist }))
    : key
    ? pass("visit-signature", t("verify.titleVisitKey"), key)
    : fail("visit-signature", t("verify.titleVisitSignature"), t("verify.dentistWrong", { signer: dentist ?? t("verify.nothing"), dentist: visit.message.dentist })));
  return checks;
}

async function receiptOf(client: PublicClient, hash: Hex): Promise<TransactionReceipt | null> {
  try {
    return await client.getTransactionReceipt({ hash });
  } catch {
    return null;
  }
}

/** "10 DRT", with the symbol and decimals read from the token contract itself. */
async function tokenAmountText(client: PublicClient, token: Hex, units: bigint): Promise<string> {
  try {
    const [symbol, decimals] = await Promise.all([
      client.readContract({ address: token, abi: tokenAbi, functionName: "symbol" }),
      client.readContract({ address: token, abi: tokenAbi, functionName: "decimals" }),
    ]);
    return `${formatUnits(units, decimals)} ${symbol}`;
  } catch {
    return t("verify.tokenBaseUnits", { units: String(units) });
  }
}

async function singleChecks(client: PublicClient, proof: Proof, registry: Hex): Promise<Check[]> {
  if (proof.anchor.kind !== "single") return [];
  const anchor = proof.anchor;
  const title = t("verify.titleAnchor");
  const where = { log: String(anchor.logIndex), tx: anchor.txHash, block: String(anchor.blockNumber) };
  const checks: Check[] = [];
  const receipt = await receiptOf(client, anchor.txHash);
  let event: { reward: bigint; patient: string } | null = null;
  if (!receipt) checks.push(fail("anchor-event", title, t("verify.anchorNoTx", where)));
  else if (receipt.status !== "success") checks.push(fail("anchor-event", title, t("verify.anchorTxFailed", where)));
  else if (Number(receipt.blockNumber) !== anchor.blockNumber) checks.push(fail("anchor-event", title, t("verify.anchorWrongBlock", { actual: String(receipt.blockNumber), block: String(anchor.blockNumber) })));
  else {
    const log = receipt.logs.find((l) => Number(l.logIndex) === anchor.logIndex);
    let args: { digest: Hex; visitId: Hex; patient: string; dentist: string; reward: bigint } | null = null;
    if (log && same(log.address, registry)) {
      try {
        const decoded = decodeEventLog({ abi: registryAbi, data: log.data, topics: log.topics });
        if (decoded.eventName === "ReviewAnchored") args = decoded.args;
      } catch {
        args = null;
      }
    }
    if (!args) checks.push(fail("anchor-event", title, t("verify.anchorNotEvent", where)));
    else if (!same(args.digest, proof.digest) || !same(args.visitId, visitIdOf(proof)) || (proof.visit && !same(args.patient, proof.visit.message.patient)) || !same(args.dentist, dentistOf(proof))) {
      checks.push(fail("anchor-event", title, t("verify.anchorOther", where)));
    } else {
      event = { reward: args.reward, patient: args.patient };
      checks.push(pass("anchor-event", title, t(proof.visit ? "verify.anchorOk" : "verify.anchorOkPublic", where)));
      if (isPublic(proof)) {
        checks.push(pass("signatures-on-chain", t("verify.titleSignaturesOnChain"), t("verify.signaturesOnChain")));
      }
    }
  }
  const anchoredAt = await client.readContract({ address: registry, abi: registryAbi, functionName: "anchoredAt", args: [proof.digest] });
  const recorded = await client.readContract({ address: registry, abi: registryAbi, functionName: "reviewDigestOf", args: [visitIdOf(proof)] });
  const recordedTitle = t("verify.titleRecorded");
  if (anchoredAt === 0n) checks.push(fail("anchored-at", recordedTitle, t("verify.recordedNever")));
  else if (!same(recorded, proof.digest)) checks.push(fail("anchored-at", recordedTitle, t("verify.recordedOther")));
  else {
    const block = await client.getBlock({ blockNumber: BigInt(anchor.blockNumber) });
    checks.push(block.timestamp === anchoredAt
      ? pass("anchored-at", recordedTitle, t("verify.recordedOk", where))
      : fail("anchored-at", recordedTitle, t("verify.recordedWrongTime", { time: String(anchoredAt), block: String(anchor.blockNumber) })));
  }
  const rewardTitle = t("verify.titleReward");
  if (!receipt || !event) checks.push(fail("reward", rewardTitle, t("verify.rewardUnchecked")));
  else if (event.reward === 0n) checks.push(pass("reward", rewardTitle, t("verify.rewardNone")));
  else {
    const token = await client.readContract({ address: registry, abi: registryAbi, functionName: "rewardToken" });
    const minted = receipt.logs.some((l) => {
      if (!same(l.address, token)) return false;
      try {
        const t = decodeEventLog({ abi: tokenAbi, data: l.data, topics: l.topics });
        return t.eventName === "Transfer" && BigInt(t.args.from) === 0n && same(t.args.to, event!.patient) && t.args.value === event!.reward;
      } catch {
        return false;
      }
    });
    const amount = await tokenAmountText(client, token, event.reward);
    checks.push(minted
      ? pass("reward", rewardTitle, t("verify.rewardMinted", { amount }))
      : fail("reward", rewardTitle, t("verify.rewardNotMinted")));
  }
  return checks;
}

async function batchChecks(client: PublicClient, proof: Proof, registry: Hex): Promise<Check[]> {
  if (proof.anchor.kind !== "batch") return [];
  const anchor = proof.anchor;
  const checks: Check[] = [];
  const root = processProof(leafOf(proof.digest), anchor.proof);
  checks.push(same(root, anchor.root)
    ? pass("merkle-proof", t("verify.titleMerkle"), t("verify.merkleOk", { count: anchor.proof.length, root: anchor.root }))
    : fail("merkle-proof", t("verify.titleMerkle"), t("verify.merkleWrong", { root: anchor.root })));
  const title = t("verify.titleBatchAnchor");
  const receipt = await receiptOf(client, anchor.txHash);
  const log = receipt?.logs.find((l) => Number(l.logIndex) === anchor.logIndex);
  let ok = false;
  if (receipt && receipt.status === "success" && Number(receipt.blockNumber) === anchor.blockNumber && log && same(log.address, registry)) {
    try {
      const decoded = decodeEventLog({ abi: registryAbi, data: log.data, topics: log.topics });
      ok = decoded.eventName === "BatchAnchored" && same(decoded.args.root, anchor.root) && Number(decoded.args.size) === anchor.size;
    } catch {
      ok = false;
    }
  }
  checks.push(ok
    ? pass("anchor-event", title, t("verify.batchAnchorOk", { log: String(anchor.logIndex), tx: anchor.txHash, block: String(anchor.blockNumber), count: anchor.size }))
    : fail("anchor-event", title, t("verify.batchAnchorWrong", { tx: anchor.txHash })));
  const batch = await client.readContract({ address: registry, abi: registryAbi, functionName: "batchOf", args: [anchor.root] });
  const recordedTitle = t("verify.titleRecorded");
  if (batch.anchoredAt === 0n) checks.push(fail("anchored-at", recordedTitle, t("verify.batchRecordedNever")));
  else {
    const block = await client.getBlock({ blockNumber: BigInt(anchor.blockNumber) });
    checks.push(block.timestamp === batch.anchoredAt && batch.size === anchor.size
      ? pass("anchored-at", recordedTitle, t("verify.batchRecordedOk", { block: String(anchor.blockNumber), count: Number(batch.size) }))
      : fail("anchored-at", recordedTitle, t("verify.batchRecordedWrong")));
  }
  const inBatch = await client.readContract({ address: registry, abi: registryAbi, functionName: "isReviewInBatch", args: [anchor.root, proof.digest, anchor.proof] });
  checks.push(inBatch
    ? pass("in-batch", t("verify.titleInBatch"), t("verify.inBatchOk"))
    : fail("in-batch", t("verify.titleInBatch"), t("verify.inBatchWrong")));
  checks.push(pass("reward", t("verify.titleReward"), t("verify.rewardBatch")));
  return checks;
}

/** Whether the anchoring block is final, by the rule the operator publishes (a number of
 * confirmations, or the node's "safe" / "finalized" block); counted on the visitor's node. */
async function finality(client: PublicClient, blockNumber: number, rule: string | null): Promise<Check> {
  const title = t("verify.titleFinal");
  const depth = rule && /^\d+$/.test(rule) ? Number(rule) : null;
  try {
    if (depth !== null) {
      const head = await client.getBlockNumber();
      const confirmations = Number(head) - blockNumber + 1;
      const block = String(blockNumber);
      return confirmations >= depth
        ? pass("finality", title, t("verify.finalDepthOk", { block, count: confirmations, depth }))
        : { name: "finality", title, verdict: "wait", detail: t("verify.finalDepthWait", { block, confirmations, depth }) };
    }
    const tag = rule === "safe" ? "safe" : "finalized";
    const settled = await client.getBlock({ blockTag: tag });
    if (BigInt(blockNumber) <= settled.number) {
      return pass("finality", title, t("verify.finalTagOk", { block: String(blockNumber), tag, settled: String(settled.number) }));
    }
    return { name: "finality", title, verdict: "wait", detail: t("verify.finalTagWait", { block: String(blockNumber), tag, settled: String(settled.number) }) };
  } catch {
    return { name: "finality", title, verdict: "wait", detail: t("verify.finalUnknown") };
  }
}

/** Every check in order. `rpcUrl` is the visitor's choice of node. */
export async function verifyProof(proof: Proof, rpcUrl: string, expectedRegistry: string | null, finalityRule: string | null = null): Promise<Check[]> {
  const checks: Check[] = [];
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 10_000 }) }) as PublicClient;
  let chainOk = false;
  let registry: Hex = "0x";
  try {
    registry = getAddress(proof.registry);
    const chainId = await client.getChainId();
    const code = await client.getCode({ address: registry });
    if (chainId !== Number(proof.chainId)) checks.push(fail("chain", t("verify.titleChain"), t("verify.chainWrong", { actual: String(chainId), expected: String(proof.chainId) })));
    else if (!code || code === "0x") checks.push(fail("chain", t("verify.titleChain"), t("verify.chainNoContract", { registry: proof.registry })));
    else {
      chainOk = true;
      checks.push(pass("chain", t("verify.titleChain"), t("verify.chainOk", { chainId: String(chainId) })));
    }
  } catch {
    checks.push(fail("chain", t("verify.titleChain"), t("verify.chainUnreachable", { url: rpcUrl })));
  }
  checks.push(...(await offlineChecks(proof, expectedRegistry, chainOk ? client : null)));
  if (!chainOk) return checks;
  try {
    const dentist = dentistOf(proof);
    const status = await client.readContract({ address: registry, abi: registryAbi, functionName: "dentistStatus", args: [getAddress(dentist)] });
    checks.push(status === 0
      ? fail("dentist", t("verify.titleDentist"), t("verify.dentistNever", { dentist }))
      : pass("dentist", t("verify.titleDentist"), t(status === 1 ? "verify.dentistRegistered" : "verify.dentistDeactivated", { dentist })));
    checks.push(...(proof.anchor.kind === "batch" ? await batchChecks(client, proof, registry) : await singleChecks(client, proof, registry)));
    checks.push(await finality(client, proof.anchor.blockNumber, finalityRule));
    if (proof.author?.revisions.length) {
      const anchors = await checkAuthorAnchors(client, registry, proof.author);
      checks.push({ name: "author-anchors", title: t("verify.titleChangesAnchored"), ...anchors });
    }
  } catch (error) {
    checks.push(fail("chain-read", t("verify.titleChainRead"), t("verify.chainReadFailed", { error: (error as Error).message.split("\n")[0] })));
  }
  return checks;
}

