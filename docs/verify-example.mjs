// Verify a DentaReview review proof with ethers v6 and a node: no DentaReview code at all.
//
//   npm install ethers@6
//   node verify-example.mjs proof.json http://127.0.0.1:8545 [REGISTRY]
//
// The proof is the JSON of GET /v1/reviews/{id}/proof. Pass the registry address the
// operator publishes as REGISTRY: a proof can only vouch for itself, not for its contract.
// Exits 0 only if every check holds.
import { readFileSync } from "node:fs";
import {
  Contract,
  Interface,
  JsonRpcProvider,
  TypedDataEncoder,
  ZeroAddress,
  getAddress,
  verifyTypedData,
} from "ethers";

const [file, rpcUrl = "http://127.0.0.1:8545", published] = process.argv.slice(2);
const proof = JSON.parse(readFileSync(file, "utf8"));
const { domain, types, review, visit, digest, anchor } = proof;
const registry = getAddress(proof.registry);

let failures = 0;
function check(name, ok, detail) {
  if (!ok) failures += 1;
  console.log(`${ok ? "PASS" : "FAIL"}  ${name.padEnd(17)} ${detail}`);
}

// Off-chain: the typed data, its digest and its two signers. ethers takes the
// primary type's definitions only (no EIP712Domain entry).
check(
  "domain",
  domain.name === "DentaReview" && domain.version === "1" &&
    getAddress(domain.verifyingContract) === registry &&
    (published === undefined || getAddress(published) === registry),
  `${domain.name} v${domain.version}, chain ${domain.chainId}, registry ${registry}`,
);
const computed = TypedDataEncoder.hash(domain, { Review: types.Review }, review.message);
check("digest", computed === digest, `EIP-712 hash of the Review: ${computed}`);
const patient = verifyTypedData(domain, { Review: types.Review }, review.message, review.signature);
check(
  "review-signature",
  patient === getAddress(visit.message.patient) &&
    review.message.visitId === visit.message.visitId,
  `signed by ${patient}`,
);
const dentist = verifyTypedData(domain, { Visit: types.Visit }, visit.message, visit.signature);
check("visit-signature", dentist === getAddress(visit.message.dentist), `signed by ${dentist}`);

// On-chain: the registry's records and the anchoring transaction's logs.
const provider = new JsonRpcProvider(rpcUrl);
const { chainId } = await provider.getNetwork();
check("chain", chainId === BigInt(domain.chainId), `the node is chain ${chainId}`);

const abi = new Interface([
  "event ReviewAnchored(bytes32 indexed digest, bytes32 indexed visitId, address indexed patient, address dentist, uint256 reward)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "function anchoredAt(bytes32 digest) view returns (uint64)",
  "function reviewDigestOf(bytes32 visitId) view returns (bytes32)",
  "function dentistStatus(address dentist) view returns (uint8)",
  "function rewardToken() view returns (address)",
]);
const contract = new Contract(registry, abi, provider);

const status = await contract.dentistStatus(dentist);
check("dentist", status !== 0n, `dentistStatus = ${status} (0 unregistered, 1 active, 2 inactive)`);

const receipt = await provider.getTransactionReceipt(anchor.txHash);
const log = receipt?.logs.find((entry) => entry.index === anchor.logIndex);
const event = log && getAddress(log.address) === registry ? abi.parseLog(log) : null;
const matches =
  receipt?.status === 1 && receipt.blockNumber === anchor.blockNumber &&
  event?.name === "ReviewAnchored" && event.args.digest === digest &&
  event.args.visitId === visit.message.visitId &&
  event.args.patient === getAddress(visit.message.patient) &&
  event.args.dentist === getAddress(visit.message.dentist);
check(
  "anchor-event",
  Boolean(matches),
  matches
    ? `log ${anchor.logIndex} of ${anchor.txHash}: ReviewAnchored, reward ${event.args.reward}`
    : `log ${anchor.logIndex} of ${anchor.txHash} is not this review's ReviewAnchored`,
);

const anchoredAt = await contract.anchoredAt(digest);
const recorded = await contract.reviewDigestOf(visit.message.visitId);
check(
  "anchored-at",
  anchoredAt > 0n && recorded === digest,
  `anchoredAt(digest) = ${anchoredAt}, reviewDigestOf(visitId) = ${recorded}`,
);

if (!matches) {
  check("reward", false, "not checked: no anchor event");
} else if (event.args.reward === 0n) {
  check("reward", true, "not rewarded in this transaction (reward 0 in the event)");
} else {
  const token = getAddress(await contract.rewardToken());
  const minted = receipt.logs.some((entry) => {
    if (getAddress(entry.address) !== token) return false;
    const transfer = abi.parseLog(entry);
    return (
      transfer?.name === "Transfer" && transfer.args.from === ZeroAddress &&
      transfer.args.to === event.args.patient && transfer.args.value === event.args.reward
    );
  });
  check("reward", minted, `${event.args.reward} minted by ${token} to ${event.args.patient}`);
}

console.log(failures === 0 ? "VERIFIED" : `NOT VERIFIED: ${failures} checks failed`);
process.exit(failures === 0 ? 0 : 1);
