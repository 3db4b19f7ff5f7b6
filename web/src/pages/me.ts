// My reviews: the patient signs in with their wallet (SIWE) and sees their own reviews,
// rewards and full proofs.
import { api, ApiError, ChainFacts } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { date, stars, tokenAmount } from "../format";
import { FULL_PROOF_KEY, meApi, OwnReview, OwnRewards } from "../patient/api";
import { authApi, notice, showSignIn, WalletSession } from "../signin";

const PAGE = 50;
const TITLE = "My reviews";

interface Token {
  symbol: string;
  decimals: number;
}

function amount(units: string, token: Token): string {
  return `${tokenAmount(units, token.decimals)} ${token.symbol}`;
}

function statusBadge(review: OwnReview): HTMLElement {
  if (review.status === "anchored") {
    const where = `anchored in block ${review.blockNumber}`;
    return review.final
      ? h("span", { class: "badge ok", "data-status": "final" }, `${where} · final`)
      : h("span", { class: "badge ok", "data-status": "anchored" }, `${where} · awaiting finality`);
  }
  if (review.status === "failed") {
    return h("span", { class: "badge bad", "data-status": "failed" },
      `not anchored: ${review.failureReason ?? review.failureCode ?? "failed"}`);
  }
  return h("span", { class: "badge warn", "data-status": "pending" }, "waiting to be anchored");
}

function rewardLine(review: OwnReview, token: Token): HTMLElement {
  const r = review.reward;
  const text = r.status === "paid" ? `Reward: ${amount(r.amount, token)}, paid to your wallet.`
    : r.status === "pending" ? `Reward: ${amount(r.amount, token)}, being paid with the anchoring.`
    : r.status === "queued" ? `Reward: ${amount(r.amount, token)}, queued: it is paid later, when the service's reward limit allows.`
    : r.reason ? `No reward for this review: ${r.reason}`
    : review.status === "failed" ? "No reward: the review was not anchored."
    : "No reward yet: it is paid when the review is anchored.";
  return h("p", { class: "reward", "data-reward": r.status }, text);
}

function fileName(review: OwnReview): string {
  return `dentareview-review-${review.id}-full-proof.json`;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = h("a", { href: url, download: name, style: "display:none" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function actions(review: OwnReview): HTMLElement {
  if (review.status !== "anchored") {
    return h("p", { class: "muted" }, review.status === "failed"
      ? "There is no proof: the review stays published here but is not on the blockchain."
      : "Its proof can be downloaded and checked once it is anchored. Reload this page to see its progress.");
  }
  const result = h("div", { "aria-live": "polite" });
  const fetchProof = async (button: HTMLButtonElement): Promise<string | null> => {
    button.disabled = true;
    replace(result);
    try {
      return JSON.stringify(await meApi.proof(review.id), null, 2);
    } catch (error) {
      replace(result, notice("bad", explain(error)));
      return null;
    } finally {
      button.disabled = false;
    }
  };
  const save = h("button", { type: "button", class: "secondary" }, "Download my full proof");
  save.addEventListener("click", async () => {
    const text = await fetchProof(save);
    if (text === null) return;
    download(fileName(review), text);
    replace(result, h("p", { class: "muted" }, `Saved as ${fileName(review)}. It names your wallet: share it only with whom you choose.`));
  });
  const verify = h("button", { type: "button" }, "Verify");
  verify.addEventListener("click", async () => {
    const text = await fetchProof(verify);
    if (text === null) return;
    window.sessionStorage.setItem(FULL_PROOF_KEY, text);
    window.location.assign("/verify?proof=full");
  });
  return h("div", {},
    h("div", { class: "row" }, save, verify,
      h("span", { class: "muted" }, "Your browser checks the full proof against the blockchain.")),
    result);
}

function reviewCard(review: OwnReview, names: Map<string, string>, token: Token): HTMLElement {
  const name = names.get(review.dentist) ?? review.dentist;
  return h("article", { class: "card own-review", "data-review-id": review.id, "aria-labelledby": `review-${review.id}-h` },
    h("h3", { id: `review-${review.id}-h`, style: "margin:0" },
      h("a", { href: `/dentists/${review.dentist}` }, name)),
    h("p", { class: "muted", style: "margin:2px 0 8px" },
      `Visit of ${date(review.visitedAt)} · reviewed ${date(review.submittedAt)}`),
    h("div", { class: "row" },
      h("span", { class: "stars", "aria-label": `${review.rating} out of 5 stars` }, stars(review.rating)),
      statusBadge(review)),
    h("p", { class: "review-text" }, review.text),
    h("div", { class: "row subratings" },
      h("span", {}, `Treatment ${review.treatment}/5`),
      h("span", {}, `Bedside manner ${review.bedside}/5`),
      h("span", {}, `Waiting time ${review.waitTime}/5`)),
    rewardLine(review, token),
    actions(review));
}

function figure(key: string, label: string, value: string, note?: string): HTMLElement {
  return h("div", { class: "figure", "data-figure": key },
    h("div", { class: "figure-label" }, label),
    h("div", { class: "figure-value" }, value),
    note ? h("div", { class: "figure-note muted" }, note) : null);
}

function rewardsCard(rewards: OwnRewards, token: Token): HTMLElement {
  return h("section", { "aria-labelledby": "rewards-h" },
    h("h2", { id: "rewards-h" }, "My rewards"),
    h("div", { class: "figures", id: "rewards" },
      figure("earned", "Earned", amount(rewards.earned, token)),
      figure("paid", "Paid", amount(rewards.paid, token)),
      figure("pending", "Being paid", amount(rewards.pending, token)),
      figure("queued", "Queued", amount(rewards.queued, token), "paid later"),
      figure("balance", "In your wallet",
        rewards.onChainBalance === null ? "unknown" : amount(rewards.onChainBalance, token),
        rewards.onChainBalance === null ? "the blockchain cannot be reached right now" : "read from the token contract")),
    h("p", { class: "muted" }, "Every review of an attested visit earns the same reward, whatever its rating."));
}

async function dentistNames(reviews: OwnReview[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const unique = [...new Set(reviews.map((r) => r.dentist))];
  await Promise.all(unique.map(async (address) => {
    try {
      const rep = await api.reputation(address);
      if (rep.name) names.set(address, rep.name);
    } catch {
      // the address is shown instead
    }
  }));
  return names;
}

async function chainToken(): Promise<Token> {
  let chain: ChainFacts | null = null;
  try {
    chain = await api.chain();
  } catch {
    chain = null;
  }
  return { symbol: chain?.tokenSymbol ?? "tokens", decimals: chain?.tokenDecimals ?? 18 };
}

function accountBar(who: WalletSession): HTMLElement {
  const signOut = h("button", { type: "button", class: "secondary", id: "signout" }, "Sign out");
  signOut.addEventListener("click", async () => {
    signOut.disabled = true;
    await authApi.signOut().catch(() => null);
    window.location.assign("/me");
  });
  return h("div", { class: "account-bar row" },
    h("div", { style: "flex:1 1 240px" }, "Signed in as ",
      h("span", { class: "mono", id: "signed-in-as" }, who.address)),
    signOut);
}

async function showSigned(main: HTMLElement, who: WalletSession): Promise<void> {
  let reviews: OwnReview[];
  let total: number;
  let rewards: OwnRewards;
  const tokenPromise = chainToken();
  try {
    const [page, r] = await Promise.all([meApi.reviews(PAGE, 0), meApi.rewards()]);
    reviews = page.items;
    total = page.total;
    rewards = r;
  } catch (error) {
    if (error instanceof ApiError && error.code === "NOT_SIGNED_IN") return askToSignIn(main);
    replace(main, h("h1", {}, TITLE), accountBar(who), notice("bad", explain(error)));
    return;
  }
  const [token, names] = await Promise.all([tokenPromise, dentistNames(reviews)]);
  const list = h("div", { id: "my-reviews" },
    reviews.length
      ? reviews.map((r) => reviewCard(r, names, token))
      : h("p", { class: "card muted", id: "no-reviews" },
          "This wallet has not written a review yet. After a visit, your dentist gives you an invitation link to write one."));
  const more = h("button", { type: "button", class: "secondary" }, "Show older reviews");
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await meApi.reviews(PAGE, reviews.length);
      reviews.push(...page.items);
      const moreNames = await dentistNames(page.items);
      for (const [k, v] of moreNames) names.set(k, v);
      list.append(...page.items.map((r) => reviewCard(r, names, token)));
      if (reviews.length >= page.total || page.items.length === 0) more.remove();
    } catch (error) {
      more.replaceWith(notice("bad", explain(error)));
    } finally {
      more.disabled = false;
    }
  });
  replace(main,
    h("h1", {}, TITLE),
    accountBar(who),
    rewardsCard(rewards, token),
    h("section", { "aria-labelledby": "reviews-h" },
      h("h2", { id: "reviews-h" }, `My reviews (${total})`),
      list,
      total > reviews.length ? more : null));
}

async function askToSignIn(main: HTMLElement, refused?: unknown): Promise<void> {
  await showSignIn(main, {
    title: TITLE,
    heading: "Sign in with your wallet",
    explanation: "Use the wallet you signed your reviews with. Signing in costs nothing: your wallet "
      + "signs a short sign-in message (Sign-In with Ethereum) and no transaction is sent.",
    statement: "Sign in to DentaReview to see your reviews, rewards and proofs.",
    noWallet: "No browser wallet was found. Install a wallet such as MetaMask with the account you reviewed with, then reload this page.",
    refused,
    onSignedIn: () => void render(main),
  });
}

export async function render(main: HTMLElement): Promise<void> {
  setTitle(TITLE);
  let who: WalletSession;
  try {
    who = await authApi.session();
  } catch (error) {
    const signedOut = error instanceof ApiError && error.code === "NOT_SIGNED_IN";
    return askToSignIn(main, signedOut ? undefined : error);
  }
  await showSigned(main, who);
}
