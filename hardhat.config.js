// Hardhat 2 configuration: compiles offline with the pinned npm `solc` (solcjs).
//
// Hardhat normally downloads the compiler named by `solidity.version`. The
// subtask override below hands it the `soljson.js` shipped in node_modules
// instead, so `npx hardhat compile` needs no network.
//
// CONTRACTS_BUILD_DIR (optional) redirects artifacts and cache, so a check can
// rebuild the sources without touching the project's own build output.

const path = require("path");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");
const solc = require("solc");

const SOLC_VERSION = "0.8.37";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) {
    return runSuper();
  }
  const longVersion = solc.version().replace(/\.Emscripten\.clang$/, "");
  if (!longVersion.startsWith(`${SOLC_VERSION}+`)) {
    throw new Error(`npm solc is ${solc.version()}, expected ${SOLC_VERSION}: run npm ci`);
  }
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion,
  };
});

const buildDir = process.env.CONTRACTS_BUILD_DIR;

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    // Tuned for ReviewRegistry.submitReview, measured with bench/gas (median gas per rewarded review):
    // legacy pipeline, runs 200: 125.7k; via-IR, runs 200: 122.9k (before the storage work, for
    // comparison); final code, via-IR: runs 200 119.6k, runs 10000 119.4k, higher runs no better.
    settings: {
      optimizer: { enabled: true, runs: 10000 },
      viaIR: true,
      evmVersion: "prague",
      // Added to Hardhat's default outputs (it merges them): the ABI and storage-layout drift test
      // reads the layout from the build-info. Outputs do not change the bytecode.
      outputSelection: { "*": { "*": ["storageLayout"] } },
    },
  },
  paths: {
    sources: "./contracts",
    ...(buildDir
      ? {
          artifacts: path.join(path.resolve(buildDir), "artifacts"),
          cache: path.join(path.resolve(buildDir), "cache"),
        }
      : {}),
  },
};
