// Builds @openzeppelin/merkle-tree's StandardMerkleTree of bytes32 values read as a JSON
// list from stdin; prints its root, flat tree, each value's proof, and the verdicts of
// StandardMerkleTree.verify on the proofs given in "check" (used by test_merkle.py).
"use strict";

const { StandardMerkleTree } = require("@openzeppelin/merkle-tree");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { values, check } = JSON.parse(input);
  const tree = StandardMerkleTree.of(values.map((v) => [v]), ["bytes32"]);
  const proofs = {};
  for (const [i, [value]] of tree.entries()) {
    proofs[value] = tree.getProof(i);
  }
  const verdicts = (check || []).map(({ root, value, proof }) =>
    StandardMerkleTree.verify(root, ["bytes32"], [value], proof),
  );
  process.stdout.write(JSON.stringify({ root: tree.root, tree: tree.dump().tree, proofs, verdicts }));
});
