// The page's side of the proof worker: one worker per request, ended when it answers.
import type { ProofOut } from "./api";
import type { WorkerAnswer, WorkerRequest } from "./protocol";

/** The group the service sent does not rebuild to the root committed on-chain. */
export class RootMismatch extends Error {}
/** This identity is not among the group's committed members (yet). */
export class NotMember extends Error {}

function ask(request: WorkerRequest): Promise<WorkerAnswer> {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  return new Promise<WorkerAnswer>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<WorkerAnswer>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message || "the proof worker failed"));
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

/** A proof that `secret`'s identity is one of `members` (whose tree must have `root`),
 * binding `message` in `scope`. */
export async function prove(secret: string, members: string[], root: string, message: bigint, scope: bigint): Promise<ProofOut> {
  const reply = await ask({ kind: "prove", secret, members, root, message: message.toString(), scope: scope.toString() });
  if (reply.kind === "proof") return reply.proof;
  if (reply.kind === "error" && reply.error === "root") throw new RootMismatch("the members do not make the committed root");
  if (reply.kind === "error" && reply.error === "member") throw new NotMember("not a member yet");
  throw new Error(reply.kind === "error" ? reply.error : "unexpected answer");
}

/** Whether the Groth16 proof holds for its root, nullifier, message and scope. */
export async function verify(proof: ProofOut, message: bigint, scope: bigint): Promise<boolean> {
  const reply = await ask({ kind: "verify", proof, message: message.toString(), scope: scope.toString() });
  if (reply.kind === "verified") return reply.valid;
  throw new Error(reply.kind === "error" ? reply.error : "unexpected answer");
}
