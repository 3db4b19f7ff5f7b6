// Sign-in for dentists: Sign-In with Ethereum (EIP-4361) signed with personal_sign, then
// the practice the wallet runs. Only a registered, active dentist gets past this.
import { getAddress, isAddressEqual, toHex } from "viem";
import { createSiweMessage } from "viem/siwe";
import { ApiError } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { shortAddress } from "../format";
import { call, discoverWallets, Eip1193, explainWallet, requestAccount, WalletChoice } from "../wallet";
import { Practice, practiceApi } from "./api";

export interface Signed {
  practice: Practice;
}

function notice(kind: "bad" | "ok" | "warn" | "info", ...text: (string | Node)[]): HTMLElement {
  return h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, ...text);
}

/** Sign in with a wallet: a fresh nonce, the EIP-4361 message, personal_sign, the session. */
export async function signInWith(provider: Eip1193): Promise<string> {
  const account = getAddress(await requestAccount(provider));
  const offer = await practiceApi.nonce();
  const message = createSiweMessage({
    address: account,
    chainId: offer.chainId,
    domain: offer.domain,
    nonce: offer.nonce,
    uri: `${offer.uri}/`,
    version: "1",
    statement: "Sign in to DentaReview to manage your practice: attest visits and read your dashboard.",
    issuedAt: new Date(offer.issuedAt * 1000),
    expirationTime: new Date((offer.issuedAt + 8 * 3600) * 1000),
  });
  const signature = await call<string>(provider, "personal_sign", [toHex(message), account]);
  await practiceApi.signIn(message, signature);
  return account;
}

/** The practice of the signed-in wallet, or a sign-in card in `main` (then null). */
export async function requirePractice(main: HTMLElement, title: string, onReady: () => void): Promise<Practice | null> {
  try {
    return await practiceApi.practice();
  } catch (error) {
    const status = h("div", { id: "signin-status", "aria-live": "polite" });
    const refused = error instanceof ApiError && error.code !== "NOT_SIGNED_IN";
    const card = h("section", { class: "card", id: "signin" },
      h("h2", { style: "margin-top:0" }, "Sign in with the practice's wallet"),
      h("p", { class: "muted" },
        "Use the wallet DentaReview registered for your practice. Signing in costs nothing: ",
        "your wallet signs a short sign-in message (Sign-In with Ethereum) and no transaction is sent."),
      status);
    replace(main, h("h1", {}, title), card);
    if (refused) replace(status, notice("bad", explain(error)));
    const wallets = await discoverWallets();
    if (wallets.length === 0) {
      status.append(notice("warn", "No browser wallet was found. Install a wallet such as MetaMask, import the practice's account, then reload this page."));
      return null;
    }
    const start = async (choice: WalletChoice) => {
      replace(status, h("p", {}, `Waiting for ${choice.name}…`));
      try {
        if (refused) await practiceApi.signOut();
        await signInWith(choice.provider);
      } catch (failure) {
        const sentence = failure instanceof ApiError ? explain(failure) : explainWallet(failure);
        replace(status, notice("bad", sentence), buttons(wallets, start));
        return;
      }
      onReady();
    };
    status.append(buttons(wallets, start));
    return null;
  }
}

function buttons(wallets: WalletChoice[], start: (w: WalletChoice) => void): HTMLElement {
  return h("div", { class: "row" }, wallets.map((w) =>
    h("button", { type: "button", onclick: () => start(w) },
      wallets.length === 1 ? "Sign in with wallet" : `Sign in with ${w.name}`)));
}

/** The header of every dentist page: who is signed in, the two pages, sign-out. */
export function practiceBar(practice: Practice, here: "dashboard" | "visits"): HTMLElement {
  const link = (href: string, text: string, on: boolean) =>
    h("a", { href, class: on ? "button" : "button secondary", "aria-current": on ? "page" : null }, text);
  return h("div", { class: "practice-bar row" },
    h("div", { style: "flex:1 1 240px" },
      h("strong", {}, practice.name || "Your practice"), " ",
      h("span", { class: "muted mono", title: practice.address }, shortAddress(practice.address))),
    link("/practice", "Dashboard", here === "dashboard"),
    link("/practice/visits", "Visits and invitations", here === "visits"),
    h("button", { type: "button", class: "secondary", id: "signout", onclick: async () => {
      await practiceApi.signOut();
      window.location.assign("/practice");
    } }, "Sign out"));
}

/** The browser wallet of the signed-in practice, for signing visits. */
export async function practiceWallet(practice: Practice): Promise<{ provider: Eip1193; account: string }> {
  const wallets = await discoverWallets();
  for (const w of wallets) {
    const account = getAddress(await requestAccount(w.provider));
    if (isAddressEqual(account, getAddress(practice.address))) return { provider: w.provider, account };
  }
  throw new WrongWallet(practice.address);
}

export class WrongWallet extends Error {
  constructor(readonly expected: string) {
    super(`switch your wallet to ${expected}`);
  }
}
