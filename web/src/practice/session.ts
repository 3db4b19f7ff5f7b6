// Sign-in for dentists: Sign-In with Ethereum (EIP-4361) signed with personal_sign, then
// the practice the wallet runs. Only a registered, active dentist gets past this.
import { getAddress, isAddressEqual } from "viem";
import { ApiError } from "../api";
import { h } from "../dom";
import { shortAddress } from "../format";
import { authApi, showSignIn } from "../signin";
import { discoverWallets, Eip1193, requestAccount } from "../wallet";
import { Practice, practiceApi } from "./api";

export interface Signed {
  practice: Practice;
}

/** The practice of the signed-in wallet, or a sign-in card in `main` (then null). */
export async function requirePractice(main: HTMLElement, title: string, onReady: () => void): Promise<Practice | null> {
  try {
    // Asked first, so that a signed-out visit logs no 401.
    if ((await authApi.session()) === null) throw new ApiError("NOT_SIGNED_IN", "not signed in", 401);
    return await practiceApi.practice();
  } catch (error) {
    await showSignIn(main, {
      title,
      heading: "Sign in with the practice's wallet",
      explanation: "Use the wallet DentaReview registered for your practice. Signing in costs nothing: "
        + "your wallet signs a short sign-in message (Sign-In with Ethereum) and no transaction is sent.",
      statement: "Sign in to DentaReview to manage your practice: attest visits and read your dashboard.",
      noWallet: "No browser wallet was found. Install a wallet such as MetaMask, import the practice's account, then reload this page.",
      refused: error instanceof ApiError && error.code !== "NOT_SIGNED_IN" ? error : undefined,
      onSignedIn: onReady,
    });
    return null;
  }
}

/** The header of every dentist page: who is signed in, the pages, sign-out. */
export function practiceBar(practice: Practice, here: "dashboard" | "visits" | "reviews"): HTMLElement {
  const link = (href: string, text: string, on: boolean) =>
    h("a", { href, class: on ? "button" : "button secondary", "aria-current": on ? "page" : null }, text);
  return h("div", { class: "practice-bar row" },
    h("div", { style: "flex:1 1 240px" },
      h("strong", {}, practice.name || "Your practice"), " ",
      h("span", { class: "muted mono", title: practice.address }, shortAddress(practice.address))),
    link("/practice", "Dashboard", here === "dashboard"),
    link("/practice/visits", "Visits and invitations", here === "visits"),
    link("/practice/reviews", "Reviews and replies", here === "reviews"),
    h("button", { type: "button", class: "secondary", id: "signout", onclick: async () => {
      await authApi.signOut().catch(() => null);
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
