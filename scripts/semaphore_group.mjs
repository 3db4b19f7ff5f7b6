#!/usr/bin/env node
// Computes a practice's anonymous group root with Semaphore's own library
// (@semaphore-protocol/group), so the service never reimplements Poseidon.
//
// Reads the group's identity commitments on stdin, decimal, one a line, in the group's order.
// Prints one JSON object: {"root": "<decimal>", "depth": <int>, "size": <int>}.
// The depth is the tree's own (at least 1, as proofs use it).
//
// Usage: node scripts/semaphore_group.mjs < commitments.txt

import { readFileSync } from "node:fs";
import { Group } from "@semaphore-protocol/group";

const lines = readFileSync(0, "utf8").split("\n").map((line) => line.trim()).filter((line) => line !== "");
const members = lines.map((line, i) => {
  if (!/^[0-9]{1,78}$/.test(line)) throw new Error(`line ${i + 1} is not a decimal commitment`);
  return BigInt(line);
});
if (members.length === 0) throw new Error("no commitments given");
const group = new Group(members);
process.stdout.write(
  `${JSON.stringify({ root: String(group.root), depth: Math.max(group.depth, 1), size: group.size })}\n`,
);
