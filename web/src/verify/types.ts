// The protocol's EIP-712 types, as a proof must carry them (docs/VERIFYING.md).
type Field = { name: string; type: string };

export const PROTOCOL_TYPES: Record<string, Field[]> = {
  EIP712Domain: [
    { name: "name", type: "string" },
    { name: "version", type: "string" },
    { name: "chainId", type: "uint256" },
    { name: "verifyingContract", type: "address" },
  ],
  Visit: [
    { name: "visitId", type: "bytes32" },
    { name: "patient", type: "address" },
    { name: "dentist", type: "address" },
    { name: "visitedAt", type: "uint64" },
  ],
  Review: [
    { name: "visitId", type: "bytes32" },
    { name: "rating", type: "uint8" },
    { name: "treatment", type: "uint8" },
    { name: "bedside", type: "uint8" },
    { name: "waitTime", type: "uint8" },
    { name: "text", type: "string" },
    { name: "deadline", type: "uint64" },
  ],
};
