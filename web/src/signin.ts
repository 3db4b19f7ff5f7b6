// Sign-In with Ethereum (EIP-4361) for any wallet: a fresh nonce, the message signed with
// personal_sign, the session cookie. Dentists and patients sign in the same way.
// Messages: namespace "signin" (also for passkey.ts and wallet.ts); a page using this
// module loads it first.
import { getAddress, toHex } from "viem";
import { createSiweMessage } from "viem/siwe";
import { api, ApiError, send } from "./api";
import { h, replace } from "./dom";
import { explain } from "./errors";
import { t } from "./i18n";
import { explainPasskey, findPasskey, passkeyFacts, passkeysSupported, passkeyWallet } from "./passkey";
import { call, discoverWallets, Eip1193, explainWallet, requestAccount, WalletChoice } from "./wallet";

export interface NonceOffer {
  nonce: string;
  issuedAt: number;
  expiresAt: number;
  domain: string;
  uri: string;
  chainId: number;
  version: string;
}

export interface WalletSession {
  address: string;
  issuedAt: number;
  expiresAt: number;
}

export const authApi = {
  nonce: () => send<NonceOffer>("/v1/auth/nonce"),
  signIn: (message: string, signature: string) =>
    send<WalletSession>("/v1/auth/siwe", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ message, signature }),
    }),
  /** The session, or null when signed out (asked without an error being logged). */
  session: async (): Promise<WalletSession | null> =>
    (await send<{ signedIn: boolean; session: WalletSession | null }>("/v1/auth/status")).session,
  signOut: () => send<null>("/v1/auth/logout", { method: "POST" }),
};

/** Sign in with a wallet: a fresh nonce, the EIP-4361 message, personal_sign, the session. */
export async function signInWith(provider: Eip1193, statement: string): Promise<string> {
  const account = getAddress(await requestAccount(provider));
  const offer = await authApi.nonce();
  const message = createSiweMessage({
    address: account,
    chainId: offer.chainId,
    domain: offer.domain,
    nonce: offer.nonce,
    uri: `${offer.uri}/`,
    version: "1",
    statement,
    issuedAt: new Date(offer.issuedAt * 1000),
    expirationTime: new Date((offer.issuedAt + 8 * 3600) * 1000),
  });
  const signature = await call<string>(provider, "personal_sign", [toHex(message), account]);
  await authApi.signIn(message, signature);
  return account;
}

export function notice(kind: "bad" | "ok" | "warn" | "info", ...text: (string | Node)[]): HTMLElement {
  return h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, ...text);
}

export interface SignInCard {
  title: string;
  heading: string;
  explanation: string;
  statement: string;
  noWallet: string;
  /** Offer the patient's passkey (passkey.ts) beside the wallets. */
  passkey?: boolean;
  /** Why the current session was refused (shown first); the session is ended before signing in. */
  refused?: unknown;
  onSignedIn: () => void;
}

/** Replace `main` with a sign-in card: one button per wallet found, errors in words. */
export async function showSignIn(main: HTMLElement, card: SignInCard): Promise<void> {
  const status = h("div", { id: "signin-status", "aria-live": "polite" });
  replace(main, h("h1", {}, card.title),
    h("section", { class: "card", id: "signin" },
      h("h2", { style: "margin-top:0" }, card.heading),
      h("p", { class: "muted" }, card.explanation),
      status));
  if (card.refused !== undefined) replace(status, notice("bad", explain(card.refused)));
  const wallets = await discoverWallets();
  const passkeys = card.passkey === true && passkeysSupported();
  const withPasskey = async () => {
    replace(status, h("p", {}, t("signin.confirmPasskey")));
    try {
      if (card.refused !== undefined) await authApi.signOut();
      const facts = (await passkeyFacts()) ?? (await findPasskey());
      const chain = await api.chain();
      await signInWith(passkeyWallet(facts, chain.chainId), card.statement);
    } catch (failure) {
      const sentence = failure instanceof ApiError ? explain(failure) : explainPasskey(failure);
      replace(status, notice("bad", sentence), choices());
      return;
    }
    card.onSignedIn();
  };
  const passkeyRow = () => h("div", { class: "row" },
    h("button", { type: "button", id: "signin-passkey", onclick: () => void withPasskey() }, t("signin.withPasskey")));
  const choices = () => h("div", {}, wallets.length ? buttons(wallets, start) : null, passkeys ? passkeyRow() : null);
  if (wallets.length === 0 && !passkeys) {
    status.append(notice("warn", card.noWallet));
    return;
  }
  const start = async (choice: WalletChoice) => {
    replace(status, h("p", {}, t("signin.waitingFor", { wallet: choice.name })));
    try {
      if (card.refused !== undefined) await authApi.signOut();
      await signInWith(choice.provider, card.statement);
    } catch (failure) {
      const sentence = failure instanceof ApiError ? explain(failure) : explainWallet(failure);
      replace(status, notice("bad", sentence), choices());
      return;
    }
    card.onSignedIn();
  };
  status.append(choices());
}

function buttons(wallets: WalletChoice[], start: (w: WalletChoice) => void): HTMLElement {
  return h("div", { class: "row" }, wallets.map((w) =>
    h("button", { type: "button", onclick: () => start(w) },
      wallets.length === 1 ? t("signin.withWallet") : t("signin.withNamedWallet", { wallet: w.name }))));
}
