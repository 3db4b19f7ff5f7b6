// Browser wallets: EIP-6963 discovery, with window.ethereum (EIP-1193) as the fallback.
// Messages: namespace "signin"; a page using this module loads it first.
import { t } from "./i18n";

export interface Eip1193 {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): void;
}

export interface WalletChoice {
  name: string;
  icon?: string;
  rdns?: string;
  provider: Eip1193;
  /** a passkey account (passkey.ts): pages speak of the passkey, not of a wallet or chain */
  passkey?: boolean;
}

interface AnnounceDetail {
  info: { uuid: string; name: string; icon: string; rdns: string };
  provider: Eip1193;
}

export class WalletError extends Error {
  constructor(readonly code: number | undefined, message: string) {
    super(message);
  }
}

/** Wallets that announce themselves within `waitMs`, or the injected one. */
export async function discoverWallets(waitMs = 400): Promise<WalletChoice[]> {
  const found = new Map<string, WalletChoice>();
  const onAnnounce = (event: Event) => {
    const detail = (event as CustomEvent<AnnounceDetail>).detail;
    if (detail?.provider && detail.info) {
      found.set(detail.info.uuid, { name: detail.info.name, icon: detail.info.icon, rdns: detail.info.rdns, provider: detail.provider });
    }
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  window.removeEventListener("eip6963:announceProvider", onAnnounce);
  const wallets = [...found.values()];
  const injected = (window as unknown as { ethereum?: Eip1193 }).ethereum;
  if (wallets.length === 0 && injected) wallets.push({ name: t("signin.browserWallet"), provider: injected });
  return wallets;
}

function asWalletError(error: unknown): WalletError {
  const e = error as { code?: number; message?: string };
  return new WalletError(e?.code, e?.message ?? String(error));
}

export async function call<T>(provider: Eip1193, method: string, params?: unknown[] | object): Promise<T> {
  try {
    return (await provider.request({ method, params })) as T;
  } catch (error) {
    throw asWalletError(error);
  }
}

export async function requestAccount(provider: Eip1193): Promise<string> {
  const accounts = await call<string[]>(provider, "eth_requestAccounts");
  if (!accounts?.length) throw new WalletError(4100, "the wallet shared no account");
  return accounts[0];
}

/** Ask the wallet to use our chain; add it first if the wallet does not know it. */
export async function switchChain(provider: Eip1193, chainId: number, rpcUrl: string | null): Promise<void> {
  const hex = `0x${chainId.toString(16)}`;
  const current = await call<string>(provider, "eth_chainId").catch(() => null);
  if (current !== null && Number(current) === chainId) return;
  try {
    await call(provider, "wallet_switchEthereumChain", [{ chainId: hex }]);
  } catch (error) {
    if (!(error instanceof WalletError) || error.code !== 4902 || !rpcUrl) throw error;
    await call(provider, "wallet_addEthereumChain", [
      { chainId: hex, chainName: `DentaReview chain ${chainId}`, rpcUrls: [rpcUrl], nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 } },
    ]);
  }
}

/** What to tell a person when their wallet refused or failed. */
export function explainWallet(error: unknown): string {
  const code = error instanceof WalletError ? error.code : undefined;
  if (code === 4001) return t("signin.walletDeclined");
  if (code === 4100) return t("signin.walletNoAccount");
  if (code === 4902) return t("signin.walletUnknownChain");
  if (code === -32002) return t("signin.walletBusy");
  return t("signin.walletFailed");
}
