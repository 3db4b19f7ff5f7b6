// Verify an anonymous review in the browser, trusting nothing from our server: recompute
// its digest, check its Groth16 proof (in a worker, with the verification keys the
// Semaphore package embeds), and read the chain through a node the visitor chooses: the
// AnonymousReviews contract is the registry's, the group root was committed for this
// practice, and the digest is anchored with its nullifier spent.
import { createPublicClient, encodeAbiParameters, getAddress, hashTypedData, http, keccak256, parseAbi, type Hex } from "viem";
import { t } from "../i18n";
import type { AnonymousReviewOut } from "./api";
import { verify } from "./prover";
import { anonymousDigest, domainOf, messageOf, scopeOf } from "./typed";

export type Verdict = "pass" | "fail" | "wait";

export interface Check {
  name: string;
  title: string;
  verdict: Verdict;
  detail: string;
}

export const anonymousAbi = parseAbi([
  "function registry() view returns (address)",
  "function groupRoot(address dentist, uint256 root) view returns (uint256 committedAt, uint256 replacedAt, uint256 size)",
  "function anchoredAt(bytes32 digest) view returns (uint64)",
  "function nullifierUsed(uint256 nullifier) view returns (bool)",
]);

/** Every check of the review, in order; a node that cannot be read fails its checks. */
const viem = { encodeAbiParameters, getAddress, hashTypedData, keccak256 };

export async function verifyAnonymous(review: AnonymousReviewOut, rpcUrl: string, registry: string, contract: string): Promise<Check[]> {
  const checks: Check[] = [];
  const digest = anonymousDigest(viem, domainOf(review.chainId, registry), {
    // A review removed by moderation shows no ratings (the page does not check it).
    dentist: review.dentist, period: String(review.period), rating: review.rating ?? 0, treatment: review.treatment ?? 0,
    bedside: review.bedside ?? 0, waitTime: review.waitTime ?? 0, text: review.text, rewardTo: review.rewardTo,
  });
  const digestOk = digest.toLowerCase() === review.digest.toLowerCase();
  checks.push({
    name: "digest", title: t("anonymous.titleDigest"), verdict: digestOk ? "pass" : "fail",
    detail: digestOk ? t("anonymous.digestOk", { digest }) : t("anonymous.digestBad", { computed: digest, digest: review.digest }),
  });
  // The proof binds the recomputed digest, not the one the server names.
  let proofOk = false;
  try {
    proofOk = await verify(review.proof, messageOf(viem, digest, review.rewardTo), scopeOf(viem, review.dentist, String(review.period)));
  } catch {
    proofOk = false;
  }
  checks.push({
    name: "proof", title: t("anonymous.titleProof"), verdict: proofOk ? "pass" : "fail",
    detail: proofOk
      ? t("anonymous.proofOk", { depth: String(review.proof.merkleTreeDepth), root: review.proof.merkleTreeRoot, nullifier: review.proof.nullifier })
      : t("anonymous.proofBad"),
  });
  const client = createPublicClient({ transport: http(rpcUrl) });
  const address = getAddress(contract);
  const chainTitles: [string, string][] = [["contract", "titleContract"], ["root", "titleRoot"], ["anchor", "titleAnchor"]];
  try {
    const [chainId, owner, root, anchoredAt, spent] = await Promise.all([
      client.getChainId(),
      client.readContract({ address, abi: anonymousAbi, functionName: "registry" }),
      client.readContract({ address, abi: anonymousAbi, functionName: "groupRoot", args: [getAddress(review.dentist), BigInt(review.proof.merkleTreeRoot)] }),
      client.readContract({ address, abi: anonymousAbi, functionName: "anchoredAt", args: [digest as Hex] }),
      client.readContract({ address, abi: anonymousAbi, functionName: "nullifierUsed", args: [BigInt(review.proof.nullifier)] }),
    ]);
    const ownerOk = chainId === review.chainId && owner.toLowerCase() === registry.toLowerCase();
    checks.push({
      name: "contract", title: t("anonymous.titleContract"), verdict: ownerOk ? "pass" : "fail",
      detail: ownerOk ? t("anonymous.contractOk", { address, chainId: String(chainId), registry })
        : t("anonymous.contractBad", { address, registry }),
    });
    const [committedAt, , size] = root;
    const rootOk = committedAt > 0n && (anchoredAt === 0n || committedAt <= anchoredAt);
    checks.push({
      name: "root", title: t("anonymous.titleRoot"), verdict: rootOk ? "pass" : "fail",
      detail: rootOk ? t("anonymous.rootOk", { root: review.proof.merkleTreeRoot, dentist: review.dentist, size: String(size) })
        : t("anonymous.rootBad", { root: review.proof.merkleTreeRoot, dentist: review.dentist }),
    });
    const anchored = anchoredAt > 0n && spent;
    const waiting = !anchored && review.status === "queued";
    checks.push({
      name: "anchor", title: t("anonymous.titleAnchor"), verdict: anchored ? "pass" : waiting ? "wait" : "fail",
      detail: anchored ? t("anonymous.anchorOk", { time: new Date(Number(anchoredAt) * 1000).toISOString() })
        : waiting ? t("anonymous.anchorWait") : t("anonymous.anchorBad"),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    for (const [name, title] of chainTitles) {
      checks.push({ name, title: t(`anonymous.${title}` as "anonymous.titleRoot"), verdict: "fail", detail: t("anonymous.chainUnreadable", { reason }) });
    }
  }
  return checks;
}
