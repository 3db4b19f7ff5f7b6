#!/usr/bin/env node
// Makes a Semaphore v4 proof of membership, offline, with the pinned proving files of the
// public Semaphore V4 ceremony (@zk-kit/semaphore-artifacts; their sha256 are pinned in
// contracts/anonymous/semaphore-artifacts.sha256).
//
// Reads one JSON object on stdin:
//   {"secret": "<the identity's private key>", "members": ["<commitment>", ...],
//    "scope": "<uint256>", "message": "<uint256>", "depth": <1..32, optional>}
// `members` are the group's identity commitments in the group's order (decimal or 0x-hex);
// the secret's own commitment must be among them. Without `depth`, the tree's own depth
// (at least 1) is used.
//
// Prints one JSON object on stdout, every number a decimal string except the depth:
//   {"merkleTreeRoot", "merkleTreeDepth", "nullifier", "message", "scope", "points": [8],
//    "timings": {"groupMs", "proofMs"}}
// `points` are laid out as Semaphore's SemaphoreProof.points (what the verifier contracts take).
//
// Usage: node scripts/semaphore_prove.mjs < request.json

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Group } from "@semaphore-protocol/group";
import { Identity } from "@semaphore-protocol/identity";
import { generateProof } from "@semaphore-protocol/proof";

const require = createRequire(import.meta.url);
const ARTIFACTS = path.dirname(require.resolve("@zk-kit/semaphore-artifacts/package.json"));

/** The local proving files for `depth`: never the download that generateProof falls back to. */
export function snarkArtifacts(depth) {
  if (!Number.isInteger(depth) || depth < 1 || depth > 32) {
    throw new Error(`depth must be an integer from 1 to 32, not ${depth}`);
  }
  return {
    wasm: path.join(ARTIFACTS, `semaphore-${depth}.wasm`),
    zkey: path.join(ARTIFACTS, `semaphore-${depth}.zkey`),
  };
}

function field(value, name) {
  if (typeof value !== "string" && typeof value !== "number") {
    throw new Error(`${name} must be a decimal or 0x-hex string`);
  }
  return BigInt(value);
}

async function main() {
  const request = JSON.parse(readFileSync(0, "utf8"));
  if (typeof request.secret !== "string" || request.secret === "") {
    throw new Error("secret must be a non-empty string");
  }
  if (!Array.isArray(request.members) || request.members.length === 0) {
    throw new Error("members must be a non-empty list of identity commitments");
  }
  const identity = new Identity(request.secret);
  const started = performance.now();
  const group = new Group(request.members.map((member, i) => field(member, `members[${i}]`)));
  const groupMs = performance.now() - started;
  const index = group.indexOf(identity.commitment);
  if (index < 0) throw new Error("the secret's identity commitment is not among the members");
  const depth = request.depth ?? Math.max(group.depth, 1);
  const proving = performance.now();
  const proof = await generateProof(
    identity,
    group.generateMerkleProof(index),
    field(request.message, "message"),
    field(request.scope, "scope"),
    depth,
    snarkArtifacts(depth),
  );
  const proofMs = performance.now() - proving;
  return {
    merkleTreeRoot: String(proof.merkleTreeRoot),
    merkleTreeDepth: Number(proof.merkleTreeDepth),
    nullifier: String(proof.nullifier),
    message: String(proof.message),
    scope: String(proof.scope),
    points: proof.points.map(String),
    timings: { groupMs: Math.round(groupMs), proofMs: Math.round(proofMs) },
  };
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    // snarkjs leaves worker threads behind; they would keep the process alive.
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`semaphore_prove: ${error.message}\n`);
    process.exit(1);
  },
);
