// The registry's admin wallet in the browser: registerDentist / deactivateDentist sent
// with viem's writeContract through the injected wallet, after checking it holds the
// registry's admin role. The service then reads the chain itself before recording.
import { createPublicClient, createWalletClient, custom, defineChain, getAddress, parseAbi, zeroHash } from "viem";
import type { ChainFacts } from "../api";
import { discoverWallets, requestAccount, switchChain } from "../wallet";

export const adminAbi = parseAbi([
  "function registerDentist(address dentist)",
  "function deactivateDentist(address dentist)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function dentistStatus(address dentist) view returns (uint8)",
]);

export const STATUS = { unregistered: 0, active: 1, inactive: 2 } as const;

/** A reason in words, found before (or instead of) a transaction. */
export class AdminRefusal extends Error {}

export type Step = (text: string) => void;

/** Send `fn(dentist)` with the admin wallet unless the chain already shows the wanted
 * state; the transaction hash, or null when nothing had to be sent. */
export async function adminWrite(
  fn: "registerDentist" | "deactivateDentist",
  dentist: string,
  chain: ChainFacts,
  step: Step,
): Promise<string | null> {
  const wallets = await discoverWallets();
  if (wallets.length === 0) {
    throw new AdminRefusal("No browser wallet was found. Open this page in a browser with the registry's admin wallet, or use the command shown below on the server.");
  }
  const provider = wallets[0].provider;
  const account = getAddress(await requestAccount(provider));
  await switchChain(provider, chain.chainId, chain.rpcUrl ?? null);
  const network = defineChain({
    id: chain.chainId,
    name: `DentaReview chain ${chain.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: chain.rpcUrl ? [chain.rpcUrl] : [] } },
  });
  const reader = createPublicClient({ chain: network, transport: custom(provider), pollingInterval: 500 });
  const registry = getAddress(chain.registry);
  const target = getAddress(dentist);
  const status = await reader.readContract({ address: registry, abi: adminAbi, functionName: "dentistStatus", args: [target] });
  if (fn === "registerDentist" && status === STATUS.active) return null;
  if (fn === "deactivateDentist" && status !== STATUS.active) return null;
  step("Checking that your wallet holds the registry's admin role…");
  const admin = await reader.readContract({ address: registry, abi: adminAbi, functionName: "hasRole", args: [zeroHash, account] });
  if (!admin) {
    throw new AdminRefusal(
      `The wallet ${account} does not hold the registry's admin role, so the blockchain would refuse this. `
      + "Switch your wallet to the registry's admin account, or run the command shown below on the server.");
  }
  step("Confirm the transaction in your wallet…");
  const writer = createWalletClient({ account, chain: network, transport: custom(provider) });
  const hash = await writer.writeContract({ address: registry, abi: adminAbi, functionName: fn, args: [target] });
  step(`Waiting for transaction ${hash} to be mined…`);
  const receipt = await reader.waitForTransactionReceipt({ hash, timeout: 120_000 });
  if (receipt.status !== "success") {
    throw new AdminRefusal(`Transaction ${hash} was mined but the registry refused it (reverted). Nothing was recorded; check the admin role and try again.`);
  }
  return hash;
}
