// The Semaphore proof, made (and checked) in a Web Worker: snarkjs and its WebAssembly run
// off the page's thread, and load only when the anonymous path is used. The proving files
// are our own origin's /zk/semaphore-<depth>.wasm|zkey, of the one depth needed: never the
// download @semaphore-protocol/proof falls back to. A check uses the verification keys the
// package embeds (every depth's), so it fetches nothing.
import { Group } from "@semaphore-protocol/group";
import { Identity } from "@semaphore-protocol/identity";
import { generateProof, verifyProof } from "@semaphore-protocol/proof";
import type { WorkerAnswer, WorkerRequest } from "./protocol";

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerAnswer): void;
  location: Location;
}
const scope = self as unknown as WorkerScope;

async function bytes(path: string): Promise<Uint8Array> {
  const response = await fetch(new URL(path, scope.location.origin));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function answer(request: WorkerRequest): Promise<WorkerAnswer> {
  if (request.kind === "prove") {
    const identity = new Identity(request.secret);
    const group = new Group(request.members.map((m) => BigInt(m)));
    if (group.root.toString() !== request.root) return { kind: "error", error: "root" };
    const index = group.indexOf(identity.commitment);
    if (index < 0) return { kind: "error", error: "member" };
    const depth = Math.max(group.depth, 1);
    const [wasm, zkey] = await Promise.all([bytes(`/zk/semaphore-${depth}.wasm`), bytes(`/zk/semaphore-${depth}.zkey`)]);
    // snarkjs takes the files' bytes as well as paths (fastfile's "mem" files).
    const artifacts = { wasm, zkey } as unknown as { wasm: string; zkey: string };
    const proof = await generateProof(identity, group.generateMerkleProof(index), BigInt(request.message), BigInt(request.scope), depth, artifacts);
    return {
      kind: "proof",
      proof: {
        merkleTreeRoot: String(proof.merkleTreeRoot),
        merkleTreeDepth: Number(proof.merkleTreeDepth),
        nullifier: String(proof.nullifier),
        points: proof.points.map(String),
      },
    };
  }
  if (request.kind === "verify") {
    const valid = await verifyProof({ ...request.proof, message: request.message, scope: request.scope, points: request.proof.points as never });
    return { kind: "verified", valid };
  }
  const group = new Group(request.members.map((m) => BigInt(m)));
  return { kind: "root", root: group.root.toString(), depth: group.depth };
}

scope.onmessage = (event) => {
  answer(event.data).then(
    (reply) => scope.postMessage(reply),
    (error: unknown) => scope.postMessage({ kind: "error", error: error instanceof Error ? error.message : String(error) }),
  );
};
