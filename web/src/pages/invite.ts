// The patient's path: invitation link → connect and sign in with the wallet → rate and
// write → sign → publish → watch it anchored and paid. A review publishes its visitId, so
// the link alone shows only the practice; the visit (its patient and date) is read once
// the patient's wallet has signed in.
import { createPublicClient, custom, getAddress, isAddressEqual } from "viem";
import { tokenAbi } from "../abi";
import { api, ApiError, ChainFacts, Eip712, Invitation, PublicInvitation, ReviewOut, Submitted } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { date, shortAddress, stars, tokenAmount } from "../format";
import { recommendStep } from "../recommend";
import { formProblem, ratingGroup, RATINGS, recommendGroup, recommendScore, textCounters, textRules } from "../reviewform";
import { explainPasskey, findPasskey, PasskeyFacts, passkeyFacts, passkeysSupported, passkeyWallet } from "../passkey";
import { authApi, signInWith } from "../signin";
import {
  call,
  discoverWallets,
  Eip1193,
  explainWallet,
  requestAccount,
  switchChain,
  WalletChoice,
} from "../wallet";

const SIGN_IN_STATEMENT = "Sign in to DentaReview to review your visit.";

interface Context {
  invitation: PublicInvitation;
  chain: ChainFacts;
  symbol: string;
  decimals: number;
}

function alert(kind: "bad" | "ok" | "warn" | "info", ...text: (string | Node)[]): HTMLElement {
  return h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, ...text);
}

export async function render(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  setTitle("Review your visit");
  const visitId = match[1].toLowerCase();
  let ctx: Context;
  try {
    const [invitation, chain] = await Promise.all([api.invitation(visitId), api.chain()]);
    ctx = { invitation, chain, symbol: chain.tokenSymbol ?? "tokens", decimals: chain.tokenDecimals ?? 18 };
  } catch (error) {
    replace(main, h("h1", {}, "Review your visit"), alert("bad", explain(error)));
    return;
  }
  const { invitation, chain } = ctx;
  const reward = `${tokenAmount(chain.rewardAmount, ctx.decimals)} ${ctx.symbol}`;
  const when = h("span", { id: "visit-date" });  // the patient's to see, once signed in
  const header = [
    h("h1", {}, `Review your visit to ${invitation.dentistName || shortAddress(invitation.dentist)}`),
    h("p", { class: "muted" }, when,
      h("a", { href: `/dentists/${invitation.dentist}` }, "See the practice's reviews")),
  ];
  if (invitation.review) {
    replace(main, ...header, alert("info",
      "This visit already has a review. Each visit can be reviewed once. ",
      h("a", { href: `/verify/${invitation.review.id}` }, "See and verify it")));
    return;
  }
  const walletBox = h("section", { class: "card", "aria-labelledby": "wallet-h" });
  const formBox = h("section", { "aria-live": "polite" });
  replace(
    main,
    ...header,
    h("div", { class: "notice ok", id: "reward-note" },
      h("strong", {}, `You receive ${reward} for your review`),
      ` — the same amount whatever rating you give, good or bad. Be honest.`),
    walletBox,
    formBox,
  );
  await connectStep(walletBox, formBox, ctx, when);
}

/** The visit, read signed in as `account` (signing in first unless already): null when the
 * visit is another wallet's. */
async function visitAs(choice: WalletChoice, account: string, ctx: Context, status: HTMLElement): Promise<Invitation | null> {
  const provider = choice.provider;
  const session = await authApi.session().catch(() => null);
  if (!session || !isAddressEqual(getAddress(session.address), getAddress(account))) {
    replace(status, h("p", {}, choice.passkey
      ? "Confirm with your passkey (face, fingerprint or screen lock), so that only you see this visit."
      : "Check your wallet: it asks you to sign in, so that only you see this visit."));
    await signInWith(provider, SIGN_IN_STATEMENT);
  }
  try {
    return await api.visit(ctx.invitation.visitId);
  } catch (error) {
    if (error instanceof ApiError && error.code === "FORBIDDEN") return null;
    throw error;
  }
}

async function connectStep(box: HTMLElement, formBox: HTMLElement, ctx: Context, when: HTMLElement): Promise<void> {
  const passkeys = passkeysSupported();
  const title = h("h2", { id: "wallet-h", style: "margin-top:0" }, passkeys ? "1. Sign in" : "1. Connect your wallet");
  const status = h("div", { "aria-live": "polite" });
  replace(box, title, h("p", { class: "muted" },
    passkeys ? "Use the passkey you made on your phone when you checked in, or the wallet whose address you gave the practice. "
      : "Use the wallet whose address you gave the practice. ",
    "It signs you in, so that only you see this visit, then signs your review; you pay nothing."), status);
  const wallets = await discoverWallets();
  if (wallets.length === 0 && !passkeys) {
    replace(status, alert("warn",
      "No browser wallet was found. Install a wallet such as MetaMask in this browser, ",
      "import the account you gave the practice, then reload this page."));
    return;
  }
  const choices = () => h("div", {}, wallets.length ? buttons(wallets, connect) : null, passkeys ? passkeyButton(usePasskey) : null,
    wallets.length ? null : alert("info",
      "No browser wallet was found: if you made a passkey when you checked in, use it above. ",
      "Install a wallet such as MetaMask in this browser only if you gave the practice a wallet address."));
  const usePasskey = async () => {
    replace(status, h("p", {}, "Your phone asks for your passkey…"));
    let facts: PasskeyFacts | null;
    try {
      facts = (await passkeyFacts()) ?? (await findPasskey());
    } catch (error) {
      replace(status, alert("bad", explainPasskey(error)), choices());
      return;
    }
    await connect({ name: "Passkey", provider: passkeyWallet(facts, ctx.chain.chainId), passkey: true });
  };
  const connect = async (choice: WalletChoice) => {
    replace(status, h("p", {}, choice.passkey ? "Opening your visit…" : `Connecting to ${choice.name}…`));
    try {
      const account = getAddress(await requestAccount(choice.provider));
      const visit = await visitAs(choice, account, ctx, status);
      if (choice.passkey && (visit === null || !isAddressEqual(account, getAddress(visit.patient)))) {
        replace(status, alert("bad",
          h("strong", {}, "This passkey is not the one this visit was recorded for. "),
          "Only the patient who checked in for this visit can review it, with the passkey made on their own phone at check-in. ",
          "If that is you, open this link on that phone."), choices());
        return;
      }
      if (visit === null || !isAddressEqual(account, getAddress(visit.patient))) {
        replace(status, alert("bad",
          h("strong", {}, "This wallet is not the one this visit was recorded for. "),
          `Your wallet is connected as ${account}, but the practice recorded the visit for another wallet. `,
          "Open your wallet, switch to the account you gave the practice, then press Connect again. ",
          "Only the patient of a visit can review it."),
          choices());
        return;
      }
      replace(when, `Visit on ${date(visit.visitedAt)}. `);
      if (Date.now() / 1000 > visit.reviewClosesAt) {
        replace(status, alert("bad", `The time to review this visit ended on ${date(visit.reviewClosesAt)}.`));
        return;
      }
      await switchChain(choice.provider, ctx.chain.chainId, ctx.chain.rpcUrl ?? null);
      replace(status, alert("ok", choice.passkey ? "Signed in with your passkey." : `Connected as ${account} on chain ${ctx.chain.chainId}.`));
      choice.provider.on?.("accountsChanged", () => window.location.reload());
      renderForm(formBox, ctx, choice, account);
    } catch (error) {
      const sentence = error instanceof ApiError ? explain(error) : choice.passkey ? explainPasskey(error) : explainWallet(error);
      replace(status, alert("bad", sentence), choices());
    }
  };
  replace(status, choices());
}

function passkeyButton(use: () => void): HTMLElement {
  return h("div", { class: "row" },
    h("button", { type: "button", id: "use-passkey", onclick: () => use() }, "Use my passkey"),
    h("span", { class: "muted" }, "the passkey you made on your phone when you checked in"));
}

function buttons(wallets: WalletChoice[], connect: (w: WalletChoice) => void): HTMLElement {
  return h("div", { class: "row" }, wallets.map((w) =>
    h("button", { type: "button", onclick: () => connect(w) }, wallets.length === 1 ? "Connect wallet" : `Connect ${w.name}`)));
}

function renderForm(box: HTMLElement, ctx: Context, choice: WalletChoice, account: string): void {
  const policy = ctx.chain.policy;
  const text = h("textarea", { id: "text", name: "text", maxlength: policy.text_max_chars * 2, "aria-describedby": "counters text-help", required: true });
  const submit = h("button", { type: "submit" }, "Sign and publish my review");
  const result = h("div", { id: "result", "aria-live": "polite" });
  const heading = h("h2", { style: "margin-top:0", tabindex: -1 }, "2. Rate and write");
  const form = h("form", { class: "card", novalidate: true },
    heading,
    h("p", { class: "muted", style: "margin-top:0" }, "1 star is very poor, 5 stars excellent (for waiting time: 5 is no wait at all)."),
    RATINGS.map(([key, q]) => ratingGroup(key, q)),
    h("label", { for: "text" }, "Your review"),
    h("p", { id: "text-help", class: "muted", style: "margin:0 0 6px" },
      textRules(policy),
      "Do not include health details you would not want public."),
    text,
    textCounters(text, policy, "counters"),
    recommendGroup(),
    h("p", {}, submit),
    result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const problem = formProblem(data, text.value, policy);
    if (problem) {
      replace(result, h("div", { "data-problem": "form" }, alert("bad", problem.message)));
      if (problem.text) text.focus();
      return;
    }
    submit.disabled = true;
    try {
      await signAndPost(result, ctx, choice, account, {
        rating: Number(data.get("rating")),
        treatment: Number(data.get("treatment")),
        bedside: Number(data.get("bedside")),
        waitTime: Number(data.get("waitTime")),
        text: text.value,
      }, form);
    } finally {
      submit.disabled = false;
    }
  });
  // A problem with the form goes away once the form changes: it is checked again on send.
  form.addEventListener("input", () => {
    if (result.querySelector("[data-problem]")) replace(result);
  });
  replace(box, form);
  heading.focus(); // the next step: screen readers and keyboards start here
}

async function signAndPost(
  result: HTMLElement,
  ctx: Context,
  choice: WalletChoice,
  account: string,
  fields: { rating: number; treatment: number; bedside: number; waitTime: number; text: string },
  form: HTMLFormElement,
): Promise<void> {
  const provider = choice.provider;
  replace(result, h("p", {}, choice.passkey
    ? "Confirm with your passkey (face, fingerprint or screen lock) to sign your review."
    : "Check your wallet: it asks you to sign your review."));
  let eip712: Eip712;
  try {
    eip712 = await api.eip712();
  } catch (error) {
    replace(result, alert("bad", explain(error)));
    return;
  }
  const ahead = Math.min(3600, ctx.chain.policy.max_deadline_ahead_seconds - 60);
  const message = { visitId: ctx.invitation.visitId, ...fields, deadline: Math.floor(Date.now() / 1000) + ahead };
  const typedData = { domain: eip712.domain, types: eip712.types, primaryType: "Review", message };
  let signature: string;
  try {
    signature = await call<string>(provider, "eth_signTypedData_v4", [account, JSON.stringify(typedData)]);
  } catch (error) {
    replace(result, alert("bad", choice.passkey ? explainPasskey(error) : explainWallet(error)));
    return;
  }
  let submitted: Submitted;
  try {
    submitted = await api.postReview({ message, signature });
  } catch (error) {
    const code = error instanceof ApiError ? error.code : "";
    replace(result, alert("bad", h("span", { "data-code": code }, explain(error))));
    return;
  }
  const score = recommendScore(new FormData(form));  // null: the question was skipped
  const published = afterPosting(ctx, choice, account, submitted, fields);
  form.replaceWith(published);
  published.querySelector<HTMLElement>("h2")?.focus();
  if (score !== null) {
    document.getElementById("status")?.after(recommendStep(provider, account, eip712, ctx.chain.policy, ctx.invitation.visitId, score));
  }
}

function afterPosting(
  ctx: Context, choice: WalletChoice, account: string, submitted: Submitted, fields: { rating: number; text: string },
): HTMLElement {
  const provider = choice.provider;
  const steps = h("ol", { class: "steps", "aria-label": "Progress" });
  const details = h("div", {});
  const rewardBox = h("div", { id: "reward" });
  const box = h("section", { class: "card", id: "status", "aria-live": "polite" },
    h("h2", { style: "margin-top:0", tabindex: -1 }, "2. Published"),
    h("blockquote", { class: "review", id: "published-review" },
      h("span", { class: "stars", role: "img", "aria-label": `${fields.rating} out of 5 stars` }, stars(fields.rating)),
      h("p", {}, fields.text)),
    h("p", {}, choice.passkey
      ? "Your review is signed and stored. It is now being made permanent, so that anyone can check it."
      : "Your review is signed and stored. It is now being anchored on the blockchain, which makes it permanent and checkable by anyone."),
    steps, details, rewardBox);
  const showSteps = (review: ReviewOut | null) => {
    const anchored = review?.status === "anchored";
    // `final` is reported by services that track finality; without it, anchored is the end.
    const tracksFinality = review?.final !== undefined;
    const final = anchored && review?.final === true;
    replace(steps,
      h("li", { class: "done" }, "✓ signed and stored"),
      h("li", { class: anchored ? "done" : "now" }, anchored
        ? choice.passkey ? "✓ anchored: permanent and checkable" : `✓ anchored in block ${review?.blockNumber}`
        : "anchoring…"),
      tracksFinality ? h("li", { class: final ? "done" : anchored ? "now" : "" }, final ? "✓ final" : "final") : null);
    if (review?.status === "failed") {
      replace(details, alert("bad", `Anchoring failed: ${review.failureReason ?? review.failureCode ?? "unknown reason"}.`));
    } else if (anchored && review) {
      const tx = h("p", {}, "Transaction ", h("span", { class: "mono", id: "tx" }, review.txHash ?? ""));
      replace(details,
        choice.passkey ? h("details", {}, h("summary", {}, "Details"), tx, h("p", {}, `Block ${review.blockNumber}`)) : tx,
        h("p", {}, h("a", { href: `/verify/${review.id}` }, "Verify your review in your browser"), " · ",
          h("a", { href: `/dentists/${review.dentist}` }, "See it on the practice's page")));
    }
  };
  showSteps(null);
  if (!submitted.reward.rewarded) {
    replace(rewardBox, alert("warn", `This review is published without a reward: ${submitted.reward.reason ?? "a reward limit applies"}.`));
  }
  void (async () => {
    const started = Date.now();
    let review: ReviewOut | null = null;
    while (Date.now() - started < 15 * 60_000) {
      try {
        review = await api.review(submitted.id);
        showSteps(review);
        if (review.status === "failed") return;
        if (review.status === "anchored" && review.final !== false) break;
      } catch {
        /* transient: poll again */
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (review?.status === "anchored" && submitted.reward.rewarded) {
      await (choice.passkey ? showPasskeyReward(rewardBox, ctx, account) : showReward(rewardBox, ctx, provider, account));
    }
  })();
  return box;
}

async function showReward(box: HTMLElement, ctx: Context, provider: Eip1193, account: string): Promise<void> {
  const client = createPublicClient({ transport: custom(provider) });
  const token = getAddress(ctx.chain.token);
  let balance: bigint;
  try {
    balance = await client.readContract({ address: token, abi: tokenAbi, functionName: "balanceOf", args: [getAddress(account)] });
  } catch {
    replace(box, alert("warn", "Your reward could not be read from the token contract right now; it is shown in your wallet once paid."));
    return;
  }
  const watch = h("button", { type: "button", class: "secondary" }, `Add ${ctx.symbol} to my wallet`);
  const watchResult = h("span", { "aria-live": "polite" });
  watch.addEventListener("click", async () => {
    try {
      const added = await call<boolean>(provider, "wallet_watchAsset", {
        type: "ERC20",
        options: { address: token, symbol: ctx.symbol, decimals: ctx.decimals },
      });
      watchResult.textContent = added ? ` ${ctx.symbol} is now shown in your wallet.` : " Not added.";
    } catch (error) {
      watchResult.textContent = ` ${explainWallet(error)}`;
    }
  });
  const paid = balance > 0n;
  replace(box,
    alert(paid ? "ok" : "warn",
      paid ? h("strong", {}, "Reward received. ") : "Your reward will be paid shortly. ",
      `Your balance, read from the token contract: `,
      h("span", { id: "balance" }, `${tokenAmount(balance, ctx.decimals)} ${ctx.symbol}`), "."),
    h("p", {}, watch, watchResult));
}

async function showPasskeyReward(box: HTMLElement, ctx: Context, account: string): Promise<void> {
  let facts: PasskeyFacts | null = null;
  try {
    facts = await passkeyFacts(account);
  } catch {
    facts = null;
  }
  if (facts?.rewardBalance === undefined || facts.rewardBalance === null) {
    replace(box, alert("warn", "Your reward could not be read right now; your page shows it once paid."));
    return;
  }
  const paid = BigInt(facts.rewardBalance) > 0n;
  replace(box,
    alert(paid ? "ok" : "warn",
      paid ? h("strong", {}, "Reward received. ") : "Your reward will be paid shortly. ",
      "You have ", h("span", { id: "balance" }, `${tokenAmount(facts.rewardBalance, ctx.decimals)} ${ctx.symbol} reward`), ". ",
      h("a", { href: "/me" }, "See it on your page"), ", where you can also send it on."));
}
