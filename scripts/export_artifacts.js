#!/usr/bin/env node
// Writes the contract artifacts the Python package ships.
//
// For every deployable contract compiled from contracts/ (interfaces and abstract
// contracts have no bytecode and are skipped), and for the few deployed unchanged from
// an npm package (PACKAGE_CONTRACTS), reads Hardhat's artifact and the build-info it
// points to, and writes <out>/<ContractName>.json:
//
//   {contractName, sourceName, abi, bytecode, deployedBytecode,
//    compiler: {version, settings}}
//
// and <out>/standard-json/input.json: the compiler's standard-JSON input (without
// outputSelection) holding the sources their metadata names, so anyone can recompile
// the deployed bytecode, metadata hash included (`dentareview verify-contracts`).
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
// Contracts deployed as their package publishes them, compiled with the project's settings:
// Semaphore v4's verifier (contracts/anonymous/SemaphoreVerifier.sol brings it into the build).
const PACKAGE_CONTRACTS = new Set(["@semaphore-protocol/contracts/base/SemaphoreVerifier.sol:SemaphoreVerifier"]);

function isExported(artifact) {
  if (artifact.bytecode === "0x") return false;
  if (artifact.sourceName.startsWith(SOURCE_PREFIX)) return true;
  return PACKAGE_CONTRACTS.has(`${artifact.sourceName}:${artifact.contractName}`);
}

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
      if (entry.name !== "build-info") yield* artifactFiles(full);
    } else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) {
      yield full;
    }
  }
}

function readBuildInfo(file) {
  const debug = readJson(file.replace(/\.json$/, ".dbg.json"));
  return readJson(path.resolve(path.dirname(file), debug.buildInfo));
}

/** The build's settings; outputSelection is a request for outputs, not a setting that shapes the bytecode. */
function bytecodeSettings(buildInfo) {
  const settings = { ...buildInfo.input.settings };
  delete settings.outputSelection;
  return sortKeys(settings);
}

function exportArtifact(artifact, buildInfo) {
  return {
    contractName: artifact.contractName,
    sourceName: artifact.sourceName,
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    deployedBytecode: artifact.deployedBytecode,
    compiler: {
      version: buildInfo.solcLongVersion,
      settings: bytecodeSettings(buildInfo),
    },
  };
}

/** One standard-JSON input with every source the deployable contracts' metadata names. */
function standardJsonInput(built) {
  const ids = new Set(built.map(({ buildInfo }) => buildInfo.id));
  if (ids.size !== 1) {
    throw new Error(`the deployable contracts come from ${ids.size} compiler runs; expected one`);
  }
  const { input, output } = built[0].buildInfo;
  const names = new Set();
  for (const { artifact } of built) {
    const compiled = output.contracts[artifact.sourceName][artifact.contractName];
    for (const name of Object.keys(JSON.parse(compiled.metadata).sources)) names.add(name);
  }
  const sources = {};
  for (const name of [...names].sort()) sources[name] = { content: input.sources[name].content };
  return { language: input.language, settings: bytecodeSettings(built[0].buildInfo), sources };
}

function writeJson(target, value) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${JSON.stringify(value, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), target) || target}`);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(options.artifacts, "contracts"))) {
    throw new Error(`no compiled contracts in ${options.artifacts}: run \`npx hardhat compile\` first`);
  }
  const built = [];
  for (const file of artifactFiles(options.artifacts)) {
    const artifact = readJson(file);
    if (artifact._format !== "hh-sol-artifact-1" || !isExported(artifact)) continue;
    built.push({ artifact, buildInfo: readBuildInfo(file) });
  }
  built.sort((a, b) => a.artifact.contractName.localeCompare(b.artifact.contractName));
  const names = new Set();
  for (const { artifact, buildInfo } of built) {
    if (names.has(artifact.contractName)) {
      throw new Error(`two deployable contracts are named ${artifact.contractName}`);
    }
    names.add(artifact.contractName);
    writeJson(path.join(options.out, `${artifact.contractName}.json`), exportArtifact(artifact, buildInfo));
  }
  if (built.length > 0) {
    writeJson(path.join(options.out, "standard-json", "input.json"), standardJsonInput(built));
  }
}

try {
  main();
} catch (error) {
  console.error(`export_artifacts: ${error.message}`);
  process.exit(1);
}
