// My reviews: the patient signs in with their wallet (SIWE) and sees their own reviews,
// rewards and full proofs, and edits or erases a review by signing with that wallet.
import { getAddress, isAddressEqual } from "viem";
import { api, ApiError, ChainFacts } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { date, stars, tokenAmount } from "../format";
import { ratingStars, t, useMessages } from "../i18n";
import { handOverFullProof, meApi, OwnReview, OwnRewards } from "../patient/api";
import { replyBlock } from "../replyview";
import { deadline, formProblem, ratingGroup, RATINGS, textCounters, textRules, typedData } from "../reviewform";
import { authApi, notice, showSignIn, WalletSession } from "../signin";
import { call, discoverWallets, explainWallet, requestAccount, switchChain } from "../wallet";
import { explainPasskey, PasskeyDeclined, passkeyFacts, passkeyWallet } from "../passkey";
import { passkeyCard } from "../patient/passkey";

const PAGE = 50;

interface Token {
  symbol: string;
  decimals: number;
}

function amount(units: string, token: Token): string {
  return `${tokenAmount(units, token.decimals)} ${token.symbol}`;
}

/** A message with an element where its {name} placeholder stands (an address in a sentence). */
function withNode(text: string, name: string, node: Node): (string | Node)[] {
  const [before, after = ""] = text.split(`{${name}}`);
  return [before, node, after];
}

function statusBadge(review: OwnReview, plain = false): HTMLElement {
  if (review.status === "anchored") {
    const block = String(review.blockNumber);
    return review.final
      ? h("span", { class: "badge ok", "data-status": "final" }, plain ? t("me.anchoredFinal") : t("me.anchoredInBlockFinal", { block }))
      : h("span", { class: "badge ok", "data-status": "anchored" }, plain ? t("me.anchoredWaiting") : t("me.anchoredInBlockWaiting", { block }));
  }
  if (review.status === "failed") {
    return h("span", { class: "badge bad", "data-status": "failed" },
      t("me.notAnchored", { reason: review.failureReason ?? review.failureCode ?? t("me.failed") }));
  }
  return h("span", { class: "badge warn", "data-status": "pending" }, t("me.pending"));
}

function rewardLine(review: OwnReview, token: Token): HTMLElement {
  const r = review.reward;
  // The service's reason is its own sentence, shown as given.
  const text = r.status === "paid" ? t("me.rewardPaid", { amount: amount(r.amount, token) })
    : r.status === "pending" ? t("me.rewardPending", { amount: amount(r.amount, token) })
    : r.status === "queued" ? t("me.rewardQueued", { amount: amount(r.amount, token) })
    : r.reason ? t("me.noRewardReason", { reason: r.reason })
    : review.status === "failed" ? t("me.noRewardFailed")
    : t("me.noRewardYet");
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
    return h("p", { class: "muted" }, t(review.status === "failed" ? "me.noProof" : "me.proofLater"));
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
  const save = h("button", { type: "button", class: "secondary" }, t("me.downloadProof"));
  save.addEventListener("click", async () => {
    const text = await fetchProof(save);
    if (text === null) return;
    download(fileName(review), text);
    replace(result, h("p", { class: "muted" }, t("me.saved", { file: fileName(review) })));
  });
  const verify = h("button", { type: "button" }, t("me.verify"));
  verify.addEventListener("click", async () => {
    const text = await fetchProof(verify);
    if (text === null) return;
    handOverFullProof(review.id, text);
    window.location.assign("/verify?proof=full");
  });
  return h("div", {},
    h("div", { class: "row" }, save, verify,
      h("span", { class: "muted" }, t("me.verifyHelp"))),
    result);
}

/** What the card needs to let its author edit or erase the review. */
interface Author {
  who: WalletSession;
  /** a passkey account: its page names no block or hex */
  passkey?: boolean;
  chain: () => Promise<ChainFacts>;
  names: Map<string, string>;
  token: Token;
}

function stateLine(review: OwnReview): HTMLElement | null {
  if (review.state !== "edited" && review.state !== "erased") return null;
  const versions = review.versions ?? 1;
  return h("p", { class: "state", "data-state": review.state },
    h("span", { class: "badge warn" }, t(review.state === "edited" ? "me.stateEdited" : "me.stateErased")),
    review.state === "edited" && versions > 1 ? t("me.versionsShown", { count: versions }) : "",
    review.state === "erased" ? t("me.erasedKept") : "");
}

function reviewCard(review: OwnReview, author: Author, flash?: HTMLElement): HTMLElement {
  const name = author.names.get(review.dentist) ?? review.dentist;
  const erased = review.state === "erased";
  const card = h("article", { class: "card own-review", "data-review-id": review.id, "aria-labelledby": `review-${review.id}-h` },
    h("h3", { id: `review-${review.id}-h`, style: "margin:0" },
      h("a", { href: `/dentists/${review.dentist}` }, name)),
    h("p", { class: "muted", style: "margin:2px 0 8px" },
      t("me.visitLine", { visited: date(review.visitedAt), reviewed: date(review.submittedAt) })),
    h("div", { class: "row" },
      erased ? null : ratingStars(review.rating, stars(review.rating)),
      statusBadge(review, author.passkey)),
    stateLine(review),
    erased ? null : h("p", { class: "review-text" }, review.text),
    erased ? null : h("div", { class: "row subratings" },
      h("span", {}, t("me.treatment", { value: review.treatment })),
      h("span", {}, t("me.bedside", { value: review.bedside })),
      h("span", {}, t("me.waitTime", { value: review.waitTime }))),
    replyBlock(review),
    rewardLine(review, author.token),
    flash ?? null,
    actions(review));
  const own = authorActions(review, author, card);
  if (own) card.append(own);
  return card;
}

/** Sign `message` as `primaryType` with the signed-in wallet, over exactly the served types. */
async function sign(author: Author, primaryType: string, message: Record<string, unknown>): Promise<string> {
  const chain = await author.chain();
  const facts = await passkeyFacts(author.who.address);
  if (facts) {  // a passkey account signs with the passkey, whatever wallet is installed
    const eip712 = await api.eip712();
    return call<string>(passkeyWallet(facts, chain.chainId), "eth_signTypedData_v4",
      [getAddress(facts.account), JSON.stringify(typedData(eip712, primaryType, message))]);
  }
  const wallets = await discoverWallets();
  if (wallets.length === 0) throw new Refusal(t("me.noWalletToSign"));
  const provider = wallets[0].provider;
  const account = getAddress(await requestAccount(provider));
  if (!isAddressEqual(account, getAddress(author.who.address))) {
    throw new Refusal(t("me.wrongAccount", { account, address: author.who.address }));
  }
  await switchChain(provider, chain.chainId, chain.rpcUrl ?? null);
  const eip712 = await api.eip712();
  return call<string>(provider, "eth_signTypedData_v4", [account, JSON.stringify(typedData(eip712, primaryType, message))]);
}

/** A reason in words, found on this page before anything is signed. */
class Refusal extends Error {}

function failure(error: unknown): HTMLElement {
  const code = error instanceof ApiError ? error.code : "";
  const sentence = error instanceof ApiError ? explain(error)
    : error instanceof Refusal ? error.message
    : error instanceof PasskeyDeclined ? explainPasskey(error)
    : explainWallet(error);
  return notice("bad", h("span", { "data-code": code }, sentence));
}

/** Re-show the card with the review as the service now shows it. */
async function refresh(review: OwnReview, author: Author, card: HTMLElement, flash: HTMLElement): Promise<void> {
  const fresh = await api.review(review.id);
  card.replaceWith(reviewCard({ ...review, ...fresh }, author, flash));
}

function authorActions(review: OwnReview, author: Author, card: HTMLElement): HTMLElement | null {
  if (review.state === "erased" || review.state === "removed") return null;
  const box = h("div", { class: "author-actions" });
  const edit = h("button", { type: "button", class: "secondary" }, t("me.edit"));
  const erase = h("button", { type: "button", class: "secondary" }, t("me.erase"));
  const buttons = h("div", { class: "row" }, edit, review.status === "anchored" ? erase : null);
  const result = h("div", { "aria-live": "polite" });
  const reset = () => replace(box, buttons, result);
  edit.addEventListener("click", async () => {
    replace(result);
    let chain: ChainFacts;
    try {
      chain = await author.chain();
    } catch (error) {
      replace(result, failure(error));
      return;
    }
    replace(box, editForm(review, author, card, chain, reset));
  });
  erase.addEventListener("click", () => replace(box, eraseConfirm(review, author, card, reset)));
  reset();
  return box;
}

function editForm(review: OwnReview, author: Author, card: HTMLElement, chain: ChainFacts, cancel: () => void): HTMLElement {
  const policy = chain.policy;
  const id = `edit-${review.id}`;
  const text = h("textarea", { id: `${id}-text`, name: "text", maxlength: policy.text_max_chars * 2, "aria-describedby": `${id}-counters ${id}-help`, required: true });
  text.value = review.text;
  const submit = h("button", { type: "submit" }, t("me.signEdit"));
  const back = h("button", { type: "button", class: "secondary", onclick: cancel }, t("me.cancel"));
  const result = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "edit-form", novalidate: true, "aria-label": t("me.editHeading") },
    h("h4", { style: "margin:8px 0" }, t("me.editHeading")),
    h("p", { class: "muted", style: "margin-top:0" }, t("me.editHelp")),
    RATINGS.map(([key, q]) => ratingGroup(key, q, review[key])),
    h("label", { for: `${id}-text` }, t("me.yourReview")),
    h("p", { id: `${id}-help`, class: "muted", style: "margin:0 0 6px" },
      textRules(policy), t("me.healthHint")),
    text,
    textCounters(text, policy, `${id}-counters`),
    h("div", { class: "row" }, submit, back),
    result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const problem = formProblem(data, text.value, policy);
    if (problem) {
      replace(result, notice("bad", problem.message));
      if (problem.text) text.focus();
      return;
    }
    const message = {
      visitId: review.visitId,
      previousDigest: review.latestDigest ?? review.digest,
      rating: Number(data.get("rating")),
      treatment: Number(data.get("treatment")),
      bedside: Number(data.get("bedside")),
      waitTime: Number(data.get("waitTime")),
      text: text.value,
      deadline: deadline(policy),
    };
    submit.disabled = true;
    replace(result, h("p", {}, t("me.signEditWait")));
    try {
      const signature = await sign(author, "ReviewEdit", message);
      await meApi.edit(review.id, { message, signature });
      await refresh(review, author, card, notice("ok", t("me.editSaved")));
    } catch (error) {
      replace(result, failure(error));
      submit.disabled = false;
    }
  });
  return form;
}

function eraseConfirm(review: OwnReview, author: Author, card: HTMLElement, cancel: () => void): HTMLElement {
  const confirm = h("button", { type: "button" }, t("me.signErase"));
  const back = h("button", { type: "button", class: "secondary", onclick: cancel }, t("me.keepReview"));
  const result = h("div", { "aria-live": "polite" });
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    replace(result, h("p", {}, t("me.signEraseWait")));
    try {
      const chain = await author.chain();
      const message = { visitId: review.visitId, digest: review.digest, deadline: deadline(chain.policy) };
      const signature = await sign(author, "ReviewErasure", message);
      await meApi.erase(review.id, { message, signature });
      await refresh(review, author, card, notice("ok", t("me.erasedDone")));
    } catch (error) {
      replace(result, failure(error));
      confirm.disabled = false;
    }
  });
  return h("section", { class: "notice warn erase-confirm", role: "group", "aria-label": t("me.eraseQuestion") },
    h("h4", { style: "margin:0 0 6px" }, t("me.eraseQuestion")),
    h("p", {}, h("strong", {}, t("me.deletedLabel")), t("me.deletedText")),
    h("p", {}, h("strong", {}, t("me.keptLabel")), t("me.keptText")),
    h("p", {}, t("me.eraseAfter")),
    h("div", { class: "row" }, confirm, back),
    result);
}

function figure(key: string, label: string, value: string, note?: string): HTMLElement {
  return h("div", { class: "figure", "data-figure": key },
    h("div", { class: "figure-label" }, label),
    h("div", { class: "figure-value" }, value),
    note ? h("div", { class: "figure-note muted" }, note) : null);
}

function rewardsCard(rewards: OwnRewards, token: Token): HTMLElement {
  return h("section", { "aria-labelledby": "rewards-h" },
    h("h2", { id: "rewards-h" }, t("me.myRewards")),
    h("div", { class: "figures", id: "rewards" },
      figure("earned", t("me.earned"), amount(rewards.earned, token)),
      figure("paid", t("me.paid"), amount(rewards.paid, token)),
      figure("pending", t("me.beingPaid"), amount(rewards.pending, token)),
      figure("queued", t("me.queued"), amount(rewards.queued, token), t("me.paidLater")),
      figure("balance", t("me.inWallet"),
        rewards.onChainBalance === null ? t("me.unknown") : amount(rewards.onChainBalance, token),
        t(rewards.onChainBalance === null ? "me.unreachable" : "me.fromToken"))),
    h("p", { class: "muted" }, t("me.sameReward")));
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

async function chainToken(chain: () => Promise<ChainFacts>): Promise<Token> {
  let facts: ChainFacts | null = null;
  try {
    facts = await chain();
  } catch {
    facts = null;
  }
  return { symbol: facts?.tokenSymbol ?? t("me.tokens"), decimals: facts?.tokenDecimals ?? 18 };
}

/** The chain facts, asked once and asked again only after a failure. */
function chainOnce(): () => Promise<ChainFacts> {
  let asked: Promise<ChainFacts> | null = null;
  return () => {
    asked ??= api.chain().catch((error: unknown) => {
      asked = null;
      throw error;
    });
    return asked;
  };
}

function accountBar(who: WalletSession, passkey = false): HTMLElement {
  const signOut = h("button", { type: "button", class: "secondary", id: "signout" }, t("me.signOut"));
  signOut.addEventListener("click", async () => {
    signOut.disabled = true;
    await authApi.signOut().catch(() => null);
    window.location.assign("/me");
  });
  const address = h("span", { class: "mono", id: "signed-in-as" }, who.address);
  return h("div", { class: "account-bar row" },
    passkey  // the passkey path shows no hex unless asked
      ? h("div", { style: "flex:1 1 240px" }, t("me.signedInPasskey"),
          h("details", {}, h("summary", {}, t("me.details")), ...withNode(t("me.account"), "address", address)))
      : h("div", { style: "flex:1 1 240px" }, ...withNode(t("me.signedInAs"), "address", address)),
    signOut);
}

async function showSigned(main: HTMLElement, who: WalletSession): Promise<void> {
  let reviews: OwnReview[];
  let total: number;
  let rewards: OwnRewards;
  const chain = chainOnce();
  const tokenPromise = chainToken(chain);
  try {
    const [page, r] = await Promise.all([meApi.reviews(PAGE, 0), meApi.rewards()]);
    reviews = page.items;
    total = page.total;
    rewards = r;
  } catch (error) {
    if (error instanceof ApiError && error.code === "NOT_SIGNED_IN") return askToSignIn(main);
    replace(main, h("h1", {}, t("me.title")), accountBar(who), notice("bad", explain(error)));
    return;
  }
  const [token, names] = await Promise.all([tokenPromise, dentistNames(reviews)]);
  const facts = await passkeyFacts(who.address).catch(() => null);
  const author: Author = { who, chain, names, token, passkey: facts !== null };
  const list = h("div", { id: "my-reviews" },
    reviews.length
      ? reviews.map((r) => reviewCard(r, author))
      : h("p", { class: "card muted", id: "no-reviews" }, t("me.noReviews")));
  const more = h("button", { type: "button", class: "secondary" }, t("me.showOlder"));
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await meApi.reviews(PAGE, reviews.length);
      reviews.push(...page.items);
      const moreNames = await dentistNames(page.items);
      for (const [k, v] of moreNames) names.set(k, v);
      list.append(...page.items.map((r) => reviewCard(r, author)));
      if (reviews.length >= page.total || page.items.length === 0) more.remove();
    } catch (error) {
      more.replaceWith(notice("bad", explain(error)));
    } finally {
      more.disabled = false;
    }
  });
  replace(main,
    h("h1", {}, t("me.title")),
    accountBar(who, facts !== null),
    facts ? await passkeyCard(facts, token, chain) : null,
    rewardsCard(rewards, token),
    h("section", { "aria-labelledby": "reviews-h" },
      h("h2", { id: "reviews-h" }, t("me.myReviewsCount", { count: total })),
      list,
      total > reviews.length ? more : null));
}

async function askToSignIn(main: HTMLElement, refused?: unknown): Promise<void> {
  await showSignIn(main, {
    title: t("me.title"),
    heading: t("me.signInHeading"),
    explanation: t("me.signInExplanation"),
    // The line the wallet shows in the sign-in message: English in every language, as
    // EIP-4361 allows only ASCII there.
    statement: "Sign in to DentaReview to see your reviews, rewards and proofs.",
    noWallet: t("me.noWallet"),
    passkey: true,
    refused,
    onSignedIn: () => void render(main),
  });
}

export async function render(main: HTMLElement): Promise<void> {
  await useMessages("me", "reply", "signin", "reviewform", "checkin");
  setTitle(t("me.title"));
  let who: WalletSession | null;
  try {
    who = await authApi.session();
  } catch (error) {
    return askToSignIn(main, error);
  }
  if (who === null) await askToSignIn(main);
  else await showSigned(main, who);
  await anonymousRewards(main);
}

/** The reward addresses of this device's anonymous reviews and their balances, read from
 * the chain by the browser: the service does not know which addresses are this patient's. */
async function anonymousRewards(main: HTMLElement): Promise<void> {
  const { rewardAddresses } = await import("../anonymous/store");
  const rewards = rewardAddresses();
  if (!rewards.length) return;
  await useMessages("anonymous");
  const list = h("ul", { class: "plain", id: "anonymous-rewards-list" });
  main.append(h("section", { class: "card", id: "anonymous-rewards", "aria-labelledby": "anonymous-rewards-h" },
    h("h2", { id: "anonymous-rewards-h", style: "margin-top:0" }, t("anonymous.meHeading")),
    h("p", { class: "muted" }, t("anonymous.meHelp")),
    list));
  let read: (address: string) => Promise<string> = async () => "…";
  try {
    const chain = await api.chain();
    const { createPublicClient, getAddress, http } = await import("viem");
    const { tokenAbi } = await import("../abi");
    if (chain.rpcUrl) {
      const client = createPublicClient({ transport: http(chain.rpcUrl) });
      read = async (address) => {
        const units = await client.readContract({ address: getAddress(chain.token), abi: tokenAbi, functionName: "balanceOf", args: [getAddress(address)] });
        return `${tokenAmount(units, chain.tokenDecimals ?? 18)} ${chain.tokenSymbol ?? ""}`.trim();
      };
    }
  } catch {
    // the chain is away: the addresses alone
  }
  for (const reward of rewards) {
    const amount = await read(reward.address).catch(() => "?");
    list.append(h("li", { class: "mono", "data-address": reward.address }, t("anonymous.meBalance", { address: reward.address, amount })));
  }
}
