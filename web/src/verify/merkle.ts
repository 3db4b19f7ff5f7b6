// OpenZeppelin StandardMerkleTree with leaf encoding ["bytes32"]: leaf =
// keccak256(keccak256(abi.encode(digest))), pairs hashed in sorted order.
import { concat, encodeAbiParameters, type Hex, keccak256 } from "viem";

export function leafOf(digest: Hex): Hex {
  return keccak256(keccak256(encodeAbiParameters([{ type: "bytes32" }], [digest])));
}

function hashPair(a: Hex, b: Hex): Hex {
  return BigInt(a) < BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

export function processProof(leaf: Hex, proof: Hex[]): Hex {
  return proof.reduce<Hex>((node, sibling) => hashPair(node, sibling), leaf);
}
