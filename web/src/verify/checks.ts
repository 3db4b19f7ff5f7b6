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
    throw new Error("This is not valid JSON. Paste the whole proof file.");
  }
  const p = data as Partial<Proof>;
  const needed = p?.kind === "public"
    ? ["chainId", "registry", "domain", "types", "review", "dentist", "digest", "anchor"]
    : ["chainId", "registry", "domain", "types", "review", "visit", "digest", "anchor"];
  const missing = needed.filter((key) => (p as Record<string, unknown>)?.[key] === undefined);
  if (missing.length) throw new Error(`This is not a DentaReview proof: it lacks ${missing.join(", ")}.`);
  if (p.version !== 1) throw new Error("Only version 1 proofs are understood.");
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
    return `Attested by the practice's visit key ${key}, authorised by the dentist's wallet ${visit.message.dentist} on chain ${proof.chainId} for visits until ${validUntil}.`;
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
  if (!domainOk) checks.push(fail("domain", "Signing domain", "The proof's EIP-712 domain is not DentaReview version 1 on its chain and registry."));
  else if (!typesOk) checks.push(fail("domain", "Signing domain", "The proof's types are not the DentaReview Visit and Review types."));
  else if (expectedRegistry && !same(expectedRegistry, proof.registry)) checks.push(fail("domain", "Signing domain", `The proof names the registry ${proof.registry}, not the one you expect (${expectedRegistry}).`));
  else checks.push(pass("domain", "Signing domain", `DentaReview version 1 on chain ${proof.chainId}, registry ${proof.registry}${expectedRegistry ? " (the one you expect)" : ""}.`));

  let digest: Hex | null = null;
  try {
    digest = reviewHash(proof);
  } catch (error) {
    checks.push(fail("digest", "Review unchanged", `The review cannot be hashed: ${(error as Error).message.split("\n")[0]}`));
  }
  const withheld = Boolean(proof.review.textHash) && proof.review.message.text === undefined;
  // A public proof of a review removed by moderation withholds its text and says so.
  const byModeration = withheld && isPublic(proof) && (proof.withheld ?? []).includes("review.message.text");
  const erased = withheld && (proof.author?.state === "erased" || !byModeration);
  if (digest !== null) {
    const what = !withheld
      ? "The review's text and ratings"
      : `The review's ratings and the hash of its text (the text itself is withheld: ${byModeration ? "removed by moderation" : "erased by its author"})`;
    checks.push(same(digest, proof.digest)
      ? pass("digest", "Review unchanged", `${what} hash to the digest ${proof.digest}.`)
      : fail("digest", "Review unchanged", `The review hashes to ${digest}, not to the proof's digest ${proof.digest}: the text or ratings were changed.`));
  }
  const patient = !isPublic(proof) && proof.visit ? proof.visit.message.patient : null;
  if (proof.author) {
    const word = await checkAuthor(proof.author, proof.domain, visitIdOf(proof), proof.digest, erased, patient, client);
    checks.push({ name: "author", title: "Changed by its author", ...word });
  } else if (erased) {
    checks.push(fail("author", "Changed by its author", "The text is erased, but no signed erasure by the patient is given."));
  }
  if (isPublic(proof) || !proof.visit || !proof.review.signature) {
    const why = "Withheld from the public proof, which names no patient. In single mode the registry itself checked it before anchoring (see below); the patient's own full proof shows it.";
    checks.push(info("review-signature", "Signed by the patient", why));
    checks.push(info("visit-signature", "Visit attested by the dentist", why));
    return checks;
  }
  const visit = proof.visit;
  if (!same(proof.review.message.visitId, visit.message.visitId)) {
    checks.push(fail("review-signature", "Signed by the patient", "The review and the visit name different visits."));
  } else {
    const patientSigned = digest !== null && await signedBy(client, visit.message.patient, digest, proof.review.signature, proof.registry);
    const signer = digest ? await recover(digest, proof.review.signature) : null;
    const byPasskey = patientSigned && isErc6492(proof.review.signature);
    checks.push(byPasskey
      ? pass("review-signature", "Signed with the patient's passkey", `Signed with the patient's passkey: the registry on chain ${proof.chainId} accepts it for the visit's patient ${visit.message.patient} (ERC-6492).`)
      : patientSigned
      ? pass("review-signature", "Signed by the patient", `The review was signed by the visit's patient ${visit.message.patient}.`)
      : fail("review-signature", "Signed by the patient", `The review signature recovers to ${signer ?? "nothing"}, not to the patient ${visit.message.patient}.`));
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
    ? pass("visit-signature", "Visit attested by the dentist", `The visit was signed by the dentist ${visit.message.dentist}.`)
    : key
    ? pass("visit-signature", "Attested by the practice's visit key, authorised by the dentist's wallet on chain", key)
    : fail("visit-signature", "Visit attested by the dentist", `The visit signature recovers to ${dentist ?? "nothing"}, not to the dentist ${visit.message.dentist}.`));
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
    return `${units} token base units`;
  }
}

async function singleChecks(client: PublicClient, proof: Proof, registry: Hex): Promise<Check[]> {
  if (proof.anchor.kind !== "single") return [];
  const anchor = proof.anchor;
  const title = "Anchored on the blockchain";
  const where = `log ${anchor.logIndex} of transaction ${anchor.txHash}`;
  const checks: Check[] = [];
  const receipt = await receiptOf(client, anchor.txHash);
  let event: { reward: bigint; patient: string } | null = null;
  if (!receipt) checks.push(fail("anchor-event", title, `There is no transaction ${anchor.txHash} on this chain.`));
  else if (receipt.status !== "success") checks.push(fail("anchor-event", title, `Transaction ${anchor.txHash} failed.`));
  else if (Number(receipt.blockNumber) !== anchor.blockNumber) checks.push(fail("anchor-event", title, `The transaction is in block ${receipt.blockNumber}, not ${anchor.blockNumber}.`));
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
    if (!args) checks.push(fail("anchor-event", title, `${where} is not a ReviewAnchored event of the registry.`));
    else if (!same(args.digest, proof.digest) || !same(args.visitId, visitIdOf(proof)) || (proof.visit && !same(args.patient, proof.visit.message.patient)) || !same(args.dentist, dentistOf(proof))) {
      checks.push(fail("anchor-event", title, `${where} anchors another review than this one.`));
    } else {
      event = { reward: args.reward, patient: args.patient };
      checks.push(pass("anchor-event", title, `${where} in block ${anchor.blockNumber} is the registry's ReviewAnchored for this digest, visit${proof.visit ? ", patient" : ""} and dentist.`));
      if (isPublic(proof)) {
        checks.push(pass("signatures-on-chain", "Signatures checked by the registry", "The registry emits ReviewAnchored only after verifying the dentist's signature of the visit and the patient's signature of this review."));
      }
    }
  }
  const anchoredAt = await client.readContract({ address: registry, abi: registryAbi, functionName: "anchoredAt", args: [proof.digest] });
  const recorded = await client.readContract({ address: registry, abi: registryAbi, functionName: "reviewDigestOf", args: [visitIdOf(proof)] });
  if (anchoredAt === 0n) checks.push(fail("anchored-at", "Recorded by the registry", "The registry has never recorded this digest."));
  else if (!same(recorded, proof.digest)) checks.push(fail("anchored-at", "Recorded by the registry", "The registry records another digest for this visit."));
  else {
    const block = await client.getBlock({ blockNumber: BigInt(anchor.blockNumber) });
    checks.push(block.timestamp === anchoredAt
      ? pass("anchored-at", "Recorded by the registry", `The registry records this digest for this visit, at the time of block ${anchor.blockNumber}.`)
      : fail("anchored-at", "Recorded by the registry", `The registry's time ${anchoredAt} is not the time of block ${anchor.blockNumber}.`));
  }
  if (!receipt || !event) checks.push(fail("reward", "Reward", "Not checked: the anchoring event is not there."));
  else if (event.reward === 0n) checks.push(pass("reward", "Reward", "Published without a reward, or with one queued under the daily limit."));
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
      ? pass("reward", "Reward", `${amount} were minted to the patient in the same transaction, the same for any rating.`)
      : fail("reward", "Reward", "The reward the event states was not minted in the same transaction."));
  }
  return checks;
}

async function batchChecks(client: PublicClient, proof: Proof, registry: Hex): Promise<Check[]> {
  if (proof.anchor.kind !== "batch") return [];
  const anchor = proof.anchor;
  const checks: Check[] = [];
  const root = processProof(leafOf(proof.digest), anchor.proof);
  checks.push(same(root, anchor.root)
    ? pass("merkle-proof", "In the batch", `The ${anchor.proof.length}-step Merkle path leads from this review to the batch root ${anchor.root}.`)
    : fail("merkle-proof", "In the batch", `The Merkle path does not lead from this review to the root ${anchor.root}.`));
  const title = "Batch anchored on the blockchain";
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
    ? pass("anchor-event", title, `Log ${anchor.logIndex} of transaction ${anchor.txHash} in block ${anchor.blockNumber} is the registry's BatchAnchored for this root (${anchor.size} reviews).`)
    : fail("anchor-event", title, `Transaction ${anchor.txHash} does not hold the registry's BatchAnchored for this root at the stated place.`));
  const batch = await client.readContract({ address: registry, abi: registryAbi, functionName: "batchOf", args: [anchor.root] });
  if (batch.anchoredAt === 0n) checks.push(fail("anchored-at", "Recorded by the registry", "The registry has never recorded this root."));
  else {
    const block = await client.getBlock({ blockNumber: BigInt(anchor.blockNumber) });
    checks.push(block.timestamp === batch.anchoredAt && batch.size === anchor.size
      ? pass("anchored-at", "Recorded by the registry", `The registry records the root at the time of block ${anchor.blockNumber}, ${batch.size} reviews.`)
      : fail("anchored-at", "Recorded by the registry", "The registry's record of this root does not match the proof."));
  }
  const inBatch = await client.readContract({ address: registry, abi: registryAbi, functionName: "isReviewInBatch", args: [anchor.root, proof.digest, anchor.proof] });
  checks.push(inBatch
    ? pass("in-batch", "The registry agrees", "The registry's own isReviewInBatch says this review is in the batch.")
    : fail("in-batch", "The registry agrees", "The registry's isReviewInBatch says this review is not in the batch."));
  checks.push(pass("reward", "Reward", "Batch rewards are paid in aggregate and name no review, so the chain does not tie a reward to this one."));
  return checks;
}

/** Whether the anchoring block is final, by the rule the operator publishes (a number of
 * confirmations, or the node's "safe" / "finalized" block); counted on the visitor's node. */
async function finality(client: PublicClient, blockNumber: number, rule: string | null): Promise<Check> {
  const title = "Final";
  const depth = rule && /^\d+$/.test(rule) ? Number(rule) : null;
  try {
    if (depth !== null) {
      const head = await client.getBlockNumber();
      const confirmations = Number(head) - blockNumber + 1;
      return confirmations >= depth
        ? pass("finality", title, `Block ${blockNumber} has ${confirmations} confirmation${confirmations === 1 ? "" : "s"} on your node; the operator calls an anchor final at ${depth}.`)
        : { name: "finality", title, verdict: "wait", detail: `Block ${blockNumber} has ${confirmations} of the ${depth} confirmations the operator waits for. Check again later.` };
    }
    const tag = rule === "safe" ? "safe" : "finalized";
    const settled = await client.getBlock({ blockTag: tag });
    if (BigInt(blockNumber) <= settled.number) {
      return pass("finality", title, `Block ${blockNumber} is final (the chain's ${tag} block is ${settled.number}): it cannot be reorganised away.`);
    }
    return { name: "finality", title, verdict: "wait", detail: `Block ${blockNumber} is not final yet (${tag} block: ${settled.number}). Check again later.` };
  } catch {
    return { name: "finality", title, verdict: "wait", detail: "This node does not report the block finality needs; finality could not be checked." };
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
    if (chainId !== Number(proof.chainId)) checks.push(fail("chain", "Right blockchain", `The node is chain ${chainId}; the proof is for chain ${proof.chainId}.`));
    else if (!code || code === "0x") checks.push(fail("chain", "Right blockchain", `There is no contract at the registry address ${proof.registry}.`));
    else {
      chainOk = true;
      checks.push(pass("chain", "Right blockchain", `The node is chain ${chainId} and the registry contract exists.`));
    }
  } catch {
    checks.push(fail("chain", "Right blockchain", `The node at ${rpcUrl} cannot be reached. Check the RPC URL.`));
  }
  checks.push(...(await offlineChecks(proof, expectedRegistry, chainOk ? client : null)));
  if (!chainOk) return checks;
  try {
    const dentist = dentistOf(proof);
    const status = await client.readContract({ address: registry, abi: registryAbi, functionName: "dentistStatus", args: [getAddress(dentist)] });
    checks.push(status === 0
      ? fail("dentist", "Registered dentist", `${dentist} was never registered as a dentist.`)
      : pass("dentist", "Registered dentist", `${dentist} is a registered dentist${status === 1 ? "" : " (deactivated since)"}.`));
    checks.push(...(proof.anchor.kind === "batch" ? await batchChecks(client, proof, registry) : await singleChecks(client, proof, registry)));
    checks.push(await finality(client, proof.anchor.blockNumber, finalityRule));
    if (proof.author?.revisions.length) {
      const anchors = await checkAuthorAnchors(client, registry, proof.author);
      checks.push({ name: "author-anchors", title: "Changes anchored", ...anchors });
    }
  } catch (error) {
    checks.push(fail("chain-read", "Chain reads", `Reading the chain failed: ${(error as Error).message.split("\n")[0]}`));
  }
  return checks;
}

