#!/usr/bin/env node
// Writes the contract artifacts the Python package ships.
//
// For every deployable contract compiled from contracts/ (interfaces and abstract
// contracts have no bytecode and are skipped), reads Hardhat's artifact and the
// build-info it points to, and writes <out>/<ContractName>.json:
//
//   {contractName, sourceName, abi, bytecode, deployedBytecode,
//    compiler: {version, settings}}
//
// with a fixed key order, 2-space indent and a trailing newline, so the files
// are byte-for-byte reproducible from the sources.
//
// Usage: node scripts/export_artifacts.js [--artifacts DIR] [--out DIR]
//   --artifacts  Hardhat's artifacts directory (default: $CONTRACTS_BUILD_DIR/artifacts
//                when that variable is set, else ./artifacts)
//   --out        output directory (default: dentareview/chain/artifacts)

"use strict";

const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const SOURCE_PREFIX = "contracts/";

function parseArgs(argv) {
  const options = {
    artifacts: process.env.CONTRACTS_BUILD_DIR
      ? path.join(process.env.CONTRACTS_BUILD_DIR, "artifacts")
      : path.join(ROOT, "artifacts"),
    out: path.join(ROOT, "dentareview", "chain", "artifacts"),
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const match = /^--(artifacts|out)(?:=(.*))?$/.exec(arg);
    if (match === null) {
      throw new Error(`unknown argument ${arg}; usage: export_artifacts.js [--artifacts DIR] [--out DIR]`);
    }
    const value = match[2] !== undefined ? match[2] : argv[++i];
    if (!value) throw new Error(`${arg} needs a directory`);
    options[match[1]] = path.resolve(value);
  }
  return options;
}

/** Recursively sorts object keys, so settings serialize the same way every time. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function* artifactFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* artifactFiles(full);
    } else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) {
      yield full;
    }
  }
}

function exportArtifact(file) {
  const artifact = readJson(file);
  const debug = readJson(file.replace(/\.json$/, ".dbg.json"));
  const buildInfo = readJson(path.resolve(path.dirname(file), debug.buildInfo));
  // outputSelection is Hardhat's request for outputs, not a setting that shapes the bytecode.
  const settings = { ...buildInfo.input.settings };
  delete settings.outputSelection;
  return {
    contractName: artifact.contractName,
    sourceName: artifact.sourceName,
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    deployedBytecode: artifact.deployedBytecode,
    compiler: {
      version: buildInfo.solcLongVersion,
      settings: sortKeys(settings),
    },
  };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const sourcesDir = path.join(options.artifacts, "contracts");
  if (!fs.existsSync(sourcesDir)) {
    throw new Error(`no compiled contracts in ${options.artifacts}: run \`npx hardhat compile\` first`);
  }
  const exported = [];
  for (const file of artifactFiles(sourcesDir)) {
    const artifact = readJson(file);
    if (artifact._format !== "hh-sol-artifact-1") continue;
    if (!artifact.sourceName.startsWith(SOURCE_PREFIX) || artifact.bytecode === "0x") continue;
    exported.push(exportArtifact(file));
  }
  exported.sort((a, b) => a.contractName.localeCompare(b.contractName));
  const names = new Set();
  fs.mkdirSync(options.out, { recursive: true });
  for (const contract of exported) {
    if (names.has(contract.contractName)) {
      throw new Error(`two deployable contracts are named ${contract.contractName}`);
    }
    names.add(contract.contractName);
    const target = path.join(options.out, `${contract.contractName}.json`);
    fs.writeFileSync(target, `${JSON.stringify(contract, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), target) || target}`);
  }
}

try {
  main();
} catch (error) {
  console.error(`export_artifacts: ${error.message}`);
  process.exit(1);
}
