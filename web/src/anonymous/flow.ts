// The anonymous path of the invitation page, loaded only once the patient has signed in:
// joining the practice's group (the identity's commitment, signed as the visit's patient,
// exactly as a Review is signed), and posting a review with a Semaphore proof instead of a
// signature. Semaphore's proving code runs in a worker (prover.ts).
import type { ChainFacts, Eip712 } from "../api";
import { call, type Eip1193 } from "../wallet";
import { anonymousApi, type AnonymousQueued, type AnonymousText, type GroupOut } from "./api";
import { commitmentOf, openSecret, rewardAddress, type IdentitySource } from "./identity";
import { prove } from "./prover";
import { hasJoined, rememberJoined, rememberReward } from "./store";
import { anonymousDigest, domainOf, GROUP_MEMBERSHIP_TYPES, messageOf, scopeOf } from "./typed";

export { NoPrf } from "./identity";
export { NotMember, RootMismatch } from "./prover";

export type GroupState =
  | { kind: "closed"; group: GroupOut }
  | { kind: "not-joined"; group: GroupOut }
  | { kind: "pending"; group: GroupOut }
  | { kind: "open"; group: GroupOut };

/** Whether this device has registered its membership for the visit. */
export function joined(visitId: string): boolean {
  return hasJoined(visitId);
}

/** Registers the patient's identity commitment in the practice's group, signed with the
 * visit's patient's wallet or passkey (EIP-712 GroupMembership). Idempotent. */
export async function join(source: IdentitySource, provider: Eip1193, account: string, visitId: string, eip712: Eip712): Promise<string> {
  const commitment = await commitmentOf(await openSecret(source));
  const message = { visitId, commitment };
  const types: Record<string, unknown> = { ...GROUP_MEMBERSHIP_TYPES };
  if (eip712.types.EIP712Domain) types.EIP712Domain = eip712.types.EIP712Domain;
  const typed = { domain: eip712.domain, types, primaryType: "GroupMembership", message };
  const signature = await call<string>(provider, "eth_signTypedData_v4", [account, JSON.stringify(typed)]);
  await anonymousApi.join(visitId, { message, signature });
  rememberJoined(visitId);
  return commitment;
}

/** The practice's group as far as this patient is concerned. `commitment`: the patient's,
 * when the identity is open (else only "joined or not" from this device's memory). */
export async function groupState(dentist: string, visitId: string, commitment: string | null): Promise<GroupState> {
  const group = await anonymousApi.group(dentist);
  const member = commitment !== null && group.members.includes(commitment);
  // Just joined: the next committed root takes this patient in (and may open the group).
  if (commitment !== null && !member && hasJoined(visitId)) return { kind: "pending", group };
  if (!group.open || !group.committedRoot) return { kind: "closed", group };
  if (commitment !== null) return { kind: member ? "open" : "not-joined", group };
  return { kind: hasJoined(visitId) ? "open" : "not-joined", group };
}

export interface Fields {
  rating: number;
  treatment: number;
  bedside: number;
  waitTime: number;
  text: string;
}

/** Makes the proof and posts the review; the queued answer and the reward address. */
export async function postAnonymously(
  source: IdentitySource, chain: ChainFacts, dentist: string, fields: Fields, language: string,
  onProving: () => void,
): Promise<{ queued: AnonymousQueued; rewardTo: string }> {
  const secret = await openSecret(source);
  const { encodeAbiParameters, getAddress, hashTypedData, keccak256 } = await import("viem");
  const viem = { encodeAbiParameters, getAddress, hashTypedData, keccak256 };
  const group = await anonymousApi.group(dentist);
  if (!group.open || !group.committedRoot) throw new GroupClosed("the group is not open");
  const period = String(group.period);
  const rewardTo = await rewardAddress(secret, period);
  const message: AnonymousText = { dentist: viem.getAddress(dentist), period, ...fields, rewardTo };
  const digest = anonymousDigest(viem, domainOf(chain.chainId, chain.registry), message);
  onProving();
  const proof = await prove(secret, group.members, group.committedRoot, messageOf(viem, digest, rewardTo), scopeOf(viem, dentist, period));
  // Remembered before posting: a reward that lands is never lost to this device.
  rememberReward({ address: rewardTo, dentist: message.dentist, period });
  const queued = await anonymousApi.post({ message, proof, language });
  return { queued, rewardTo };
}

export class GroupClosed extends Error {}
