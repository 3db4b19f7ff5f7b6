// Completes package-lock.json with the other platforms' Anvil and cast binaries.
//
// @foundry-rs/anvil and @foundry-rs/cast pick their binary from optional
// per-platform packages. When the registry at hand serves only some platforms,
// `npm install` leaves the others out of the lock file, and `npm ci` then refuses
// the lock as out of sync. Entries for the other platforms (skipped at install by
// their os/cpu fields) keep `npm ci` working everywhere.
//
// Run after any `npm install`:  node scripts/lockfile_platforms.js
"use strict";

const fs = require("fs");
const path = require("path");

const LOCK = path.join(__dirname, "..", "package-lock.json");
const PLATFORMS = {
  "darwin-amd64": ["darwin", "x64"],
  "darwin-arm64": ["darwin", "arm64"],
  "linux-amd64": ["linux", "x64"],
  "linux-arm64": ["linux", "arm64"],
  "win32-amd64": ["win32", "x64"],
};

const lock = JSON.parse(fs.readFileSync(LOCK, "utf8"));
let added = 0;
for (const tool of ["anvil", "cast"]) {
  const wrapper = lock.packages[`node_modules/@foundry-rs/${tool}`];
  if (!wrapper) continue;
  for (const [platform, [os, cpu]] of Object.entries(PLATFORMS)) {
    const key = `node_modules/@foundry-rs/${tool}-${platform}`;
    if (lock.packages[key]) continue;
    lock.packages[key] = {
      version: wrapper.version,
      cpu: [cpu],
      dev: true,
      license: wrapper.license,
      optional: true,
      os: [os],
      engines: { node: ">=20" },
    };
    added += 1;
  }
}
const sorted = {};
for (const key of Object.keys(lock.packages).sort()) sorted[key] = lock.packages[key];
lock.packages = sorted;
fs.writeFileSync(LOCK, JSON.stringify(lock, null, 2) + "\n");
console.log(`package-lock.json: ${added} platform entries added`);
