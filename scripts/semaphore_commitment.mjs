#!/usr/bin/env node
// Prints the Semaphore v4 identity commitment (decimal) of each private key given as an argument,
// one a line, or, with no argument, of each non-empty line read on stdin.
//
// Usage: node scripts/semaphore_commitment.mjs <secret>...

import { readFileSync } from "node:fs";
import { Identity } from "@semaphore-protocol/identity";

const args = process.argv.slice(2);
const secrets = args.length > 0 ? args : readFileSync(0, "utf8").split("\n").filter((line) => line !== "");
for (const secret of secrets) {
  process.stdout.write(`${new Identity(secret).commitment}\n`);
}
