#!/usr/bin/env node
// Compiles one Solidity file outside contracts/ (the benchmark's baseline, the tests'
// smart-contract account) with the npm solc, offline, printing
// {ContractName: {abi, bytecode}, compiler} as JSON.
// Usage: node scripts/compile_solidity.js FILE.sol
"use strict";

const fs = require("fs");
const path = require("path");
const solc = require("solc");

const ROOT = path.resolve(__dirname, "..");
if (process.argv.length !== 3) {
  console.error("usage: node scripts/compile_solidity.js FILE.sol");
  process.exit(2);
}
const FILE = path.resolve(process.argv[2]);
const SOURCE = path.basename(FILE);

function findImport(name) {
  const file = path.join(ROOT, "node_modules", name);
  return fs.existsSync(file) ? { contents: fs.readFileSync(file, "utf8") } : { error: `not found: ${name}` };
}

const input = {
  language: "Solidity",
  sources: { [SOURCE]: { content: fs.readFileSync(FILE, "utf8") } },
  settings: {
    optimizer: { enabled: true, runs: 10000 },
    evmVersion: "prague",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  console.error(errors.map((e) => e.formattedMessage).join("\n"));
  process.exit(1);
}
const result = {};
for (const [name, contract] of Object.entries(output.contracts[SOURCE])) {
  result[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}
result.compiler = solc.version();
process.stdout.write(JSON.stringify(result));
