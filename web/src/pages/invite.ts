// The patient's path: invitation link → connect and sign in with the wallet → rate and
// write → sign → publish → watch it anchored and paid. A review publishes its visitId, so
// the link alone shows only the practice; the visit (its patient and date) is read once
// the patient's wallet has signed in. viem (addresses, sign-in, reading the token) is
// loaded only once the patient picks a wallet or their passkey: the first view stays small.
// Signed in, the patient's device joins the practice's anonymous group (once, quietly), and
// the form offers to post anonymously once that group is open: the anonymous path (and
// Semaphore's code, in a worker) loads only then.
import { api, ApiError, ChainFacts, Eip712, Invitation, PublicInvitation, ReviewOut, Submitted } from "../api";
import type { IdentitySource } from "../anonymous/identity";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { date, shortAddress, stars, tokenAmount } from "../format";
import { lang, ratingStars, t, tLinked, useMessages, type Key } from "../i18n";
import { recommendStep } from "../recommend";
import { formProblem, healthNote, ratingGroup, RATINGS, recommendGroup, recommendScore, textCounters, textRules } from "../reviewform";
import { explainPasskey, findPasskey, PasskeyFacts, passkeyFacts, passkeysSupported, passkeyWallet } from "../passkey";
import {
  call,
  discoverWallets,
  Eip1193,
  explainWallet,
  requestAccount,
  switchChain,
  WalletChoice,
  WalletError,
} from "../wallet";

// Part of the signed sign-in message: EIP-4361 allows only ASCII there, so it stays in English.
const SIGN_IN_STATEMENT = "Sign in to DentaReview to review your visit.";

/** The address helpers, loaded with the first wallet or passkey step. */
async function addresses() {
  const { getAddress, isAddressEqual } = await import("viem");
  return { getAddress, isAddressEqual };
}

/** A message whose [bracketed] parts are links (to `hrefs`) and whose named placeholders are
 * elements: the words stay in the translator's order around them. */
function compose(key: Key, hrefs: readonly string[], nodes: Record<string, Node>): (Node | string)[] {
  const marks = Object.fromEntries(Object.keys(nodes).map((name) => [name, `\u0000${name}\u0000`]));
  return tLinked(key, hrefs, marks).flatMap((part) =>
    typeof part === "string" ? part.split("\u0000").map((piece, i) => (i % 2 === 1 ? nodes[piece] ?? piece : piece)) : [part]);
}

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
  await useMessages("invite", "reviewform", "signin");
  setTitle(t("invite.title"));
  const visitId = match[1].toLowerCase();
  let ctx: Context;
  try {
    const [invitation, chain] = await Promise.all([api.invitation(visitId), api.chain()]);
    ctx = { invitation, chain, symbol: chain.tokenSymbol ?? t("invite.tokens"), decimals: chain.tokenDecimals ?? 18 };
  } catch (error) {
    replace(main, h("h1", {}, t("invite.title")), alert("bad", explain(error)));
    return;
  }
  const { invitation, chain } = ctx;
  const reward = `${tokenAmount(chain.rewardAmount, ctx.decimals)} ${ctx.symbol}`;
  const when = h("span", { id: "visit-date" });  // the patient's to see, once signed in
  const header = [
    h("h1", {}, t("invite.heading", { practice: invitation.dentistName || shortAddress(invitation.dentist) })),
    h("p", { class: "muted" }, when,
      h("a", { href: `/dentists/${invitation.dentist}` }, t("invite.seeReviews"))),
  ];
  if (invitation.review) {
    replace(main, ...header, alert("info", ...tLinked("invite.alreadyReviewed", [`/verify/${invitation.review.id}`])));
    return;
  }
  const walletBox = h("section", { class: "card", "aria-labelledby": "wallet-h" });
  const formBox = h("section", { "aria-live": "polite" });
  replace(
    main,
    ...header,
    h("div", { class: "notice ok", id: "reward-note" },
      h("strong", {}, t("invite.rewardStrong", { reward })),
      t("invite.rewardRest")),
    walletBox,
    formBox,
  );
  await connectStep(walletBox, formBox, ctx, when);
}

/** The visit, read signed in as `account` (signing in first unless already): null when the
 * visit is another wallet's. */
async function visitAs(choice: WalletChoice, account: string, ctx: Context, status: HTMLElement): Promise<Invitation | null> {
  const provider = choice.provider;
  const { getAddress, isAddressEqual } = await addresses();
  const { authApi, signInWith } = await import("../signin");
  const session = await authApi.session().catch(() => null);
  if (!session || !isAddressEqual(getAddress(session.address), getAddress(account))) {
    replace(status, h("p", {}, choice.passkey ? t("invite.signInPasskey") : t("invite.signInWallet")));
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
  const title = h("h2", { id: "wallet-h", style: "margin-top:0" }, passkeys ? t("invite.signInTitle") : t("invite.connectTitle"));
  const status = h("div", { "aria-live": "polite" });
  replace(box, title, h("p", { class: "muted" }, passkeys ? t("invite.introPasskey") : t("invite.introWallet")), status);
  const wallets = await discoverWallets();
  if (wallets.length === 0 && !passkeys) {
    replace(status, alert("warn", t("invite.noWallet")));
    return;
  }
  const choices = () => h("div", {}, wallets.length ? buttons(wallets, connect) : null, passkeys ? passkeyButton(usePasskey) : null,
    wallets.length ? null : alert("info", t("invite.noWalletPasskey")));
  const usePasskey = async () => {
    replace(status, h("p", {}, t("invite.passkeyAsking")));
    void addresses().catch(() => undefined); // fetched while the phone asks
    let facts: PasskeyFacts | null;
    try {
      facts = (await passkeyFacts()) ?? (await findPasskey());
    } catch (error) {
      replace(status, alert("bad", explainPasskey(error)), choices());
      return;
    }
    await connect({ name: "Passkey", provider: passkeyWallet(facts, ctx.chain.chainId), passkey: true }, facts.credentialId);
  };
  const connect = async (choice: WalletChoice, credentialId?: string) => {
    replace(status, h("p", {}, choice.passkey ? t("invite.opening") : t("invite.connecting", { wallet: choice.name })));
    try {
      const { getAddress, isAddressEqual } = await addresses();
      const account = getAddress(await requestAccount(choice.provider));
      const visit = await visitAs(choice, account, ctx, status);
      if (choice.passkey && (visit === null || !isAddressEqual(account, getAddress(visit.patient)))) {
        replace(status, alert("bad", h("strong", {}, t("invite.wrongPasskeyStrong")), t("invite.wrongPasskey")), choices());
        return;
      }
      if (visit === null || !isAddressEqual(account, getAddress(visit.patient))) {
        replace(status, alert("bad", h("strong", {}, t("invite.wrongWalletStrong")), t("invite.wrongWallet", { account })),
          choices());
        return;
      }
      replace(when, t("invite.visitOn", { date: date(visit.visitedAt) }));
      if (Date.now() / 1000 > visit.reviewClosesAt) {
        replace(status, alert("bad", t("invite.reviewClosed", { date: date(visit.reviewClosesAt) })));
        return;
      }
      await switchChain(choice.provider, ctx.chain.chainId, ctx.chain.rpcUrl ?? null);
      replace(status, alert("ok", choice.passkey
        ? t("invite.signedInPasskey")
        : t("invite.connectedAs", { account, chain: String(ctx.chain.chainId) })));
      choice.provider.on?.("accountsChanged", () => window.location.reload());
      const source: IdentitySource = credentialId
        ? { kind: "passkey", credentialId }
        : { kind: "wallet", provider: choice.provider, account };
      renderForm(formBox, ctx, choice, account, source);
    } catch (error) {
      const sentence = error instanceof ApiError ? explain(error) : choice.passkey ? explainPasskey(error) : explainWallet(error);
      replace(status, alert("bad", sentence), choices());
    }
  };
  replace(status, choices());
}

function passkeyButton(use: () => void): HTMLElement {
  return h("div", { class: "row" },
    h("button", { type: "button", id: "use-passkey", onclick: () => use() }, t("invite.usePasskey")),
    h("span", { class: "muted" }, t("invite.usePasskeyHint")));
}

function buttons(wallets: WalletChoice[], connect: (w: WalletChoice) => void): HTMLElement {
  return h("div", { class: "row" }, wallets.map((w) =>
    h("button", { type: "button", onclick: () => connect(w) },
      wallets.length === 1 ? t("invite.connectWallet") : t("invite.connectNamed", { wallet: w.name }))));
}

function renderForm(box: HTMLElement, ctx: Context, choice: WalletChoice, account: string, source: IdentitySource): void {
  const policy = ctx.chain.policy;
  const text = h("textarea", { id: "text", name: "text", maxlength: policy.text_max_chars * 2, "aria-describedby": "counters text-help", required: true });
  const submit = h("button", { type: "submit" }, t("invite.signAndPublish"));
  const result = h("div", { id: "result", "aria-live": "polite" });
  const heading = h("h2", { style: "margin-top:0", tabindex: -1 }, t("invite.rateAndWrite"));
  const recommend = recommendGroup();
  const anonymous = h("div", { id: "anonymous-choice", "aria-live": "polite" }); // filled once the group is known
  const form = h("form", { class: "card", novalidate: true },
    heading,
    h("p", { class: "muted", style: "margin-top:0" }, t("invite.starsHelp")),
    RATINGS.map(([key, q]) => ratingGroup(key, q)),
    h("label", { for: "text" }, t("invite.yourReview")),
    h("p", { id: "text-help", class: "muted", style: "margin:0 0 6px" }, textRules(policy), healthNote()),
    text,
    textCounters(text, policy, "counters"),
    recommend,
    anonymous,
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
    const fields = {
      rating: Number(data.get("rating")),
      treatment: Number(data.get("treatment")),
      bedside: Number(data.get("bedside")),
      waitTime: Number(data.get("waitTime")),
      text: text.value,
    };
    try {
      // One prompt at a time: the group's quiet joining finishes before the review is signed.
      await joining;
      if (data.get("anonymous")) await postAnonymously(result, ctx, choice, source, fields, form);
      else await signAndPost(result, ctx, choice, account, fields, form);
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
  // Posting anonymously: the recommendation is signed by the patient, so it is not asked then.
  const onAnonymous = (chosen: boolean) => {
    submit.textContent = chosen ? t("anonymous.submit") : t("invite.signAndPublish");
    recommend.hidden = chosen;
  };
  const joining = anonymousChoice(anonymous, ctx, choice, account, source, onAnonymous);
}

/** Joins the practice's anonymous group (once per visit on this device, quietly), then
 * offers "Post anonymously" when the group is open, or says in a sentence why not yet.
 * Resolves once the joining is over (its prompts answered), not when the choice shows. */
async function anonymousChoice(
  box: HTMLElement, ctx: Context, choice: WalletChoice, account: string, source: IdentitySource,
  onAnonymous: (chosen: boolean) => void,
): Promise<void> {
  let flow: typeof import("../anonymous/flow");
  try {
    [flow] = await Promise.all([import("../anonymous/flow"), useMessages("anonymous")]);
  } catch {
    return; // the form works without it
  }
  const { visitId, dentist } = ctx.invitation;
  let commitment: string | null = null;
  let problem: string | null = null;
  const join = async () => {
    try {
      commitment = await flow.join(source, choice.provider, account, visitId, await api.eip712());
      problem = null;
    } catch (error) {
      problem = error instanceof flow.NoPrf ? t("anonymous.needsPrf") : null;
      console.warn("joining the anonymous group failed", error);
    }
  };
  const note = (...text: (string | Node)[]) => h("p", { class: "muted", id: "anonymous-note" }, ...text);
  const show = async (): Promise<void> => {
    if (!box.isConnected) return;
    if (problem) {
      replace(box, note(problem));
      return;
    }
    let state: Awaited<ReturnType<typeof flow.groupState>>;
    try {
      state = await flow.groupState(dentist, visitId, commitment);
    } catch {
      replace(box, note(t("anonymous.unavailable")));
      return;
    }
    const { group } = state;
    if (state.kind === "closed") {
      replace(box, note(t("anonymous.notOpen", { min: group.minGroupSize, size: group.committedSize })));
      window.setTimeout(() => void show(), 60_000); // other patients may open it meanwhile
    } else if (state.kind === "not-joined") {
      const button = h("button", { type: "button", class: "secondary", id: "anonymous-join" }, t("anonymous.joinButton"));
      button.addEventListener("click", async () => {
        replace(box, note(t("anonymous.joining")));
        await join();
        await show();
      });
      replace(box, note(t("anonymous.joinNeeded"), " "), button);
    } else if (state.kind === "pending") {
      replace(box, note(t("anonymous.pending")));
      window.setTimeout(() => void show(), 10_000); // the next root commit lets the patient in
    } else {
      const input = h("input", { type: "checkbox", id: "anonymous", name: "anonymous", value: "1", "aria-describedby": "anonymous-help" });
      input.addEventListener("change", () => onAnonymous(input.checked));
      replace(box, h("fieldset", { class: "anonymous-choice" },
        h("label", { for: "anonymous", class: "check" }, input, " ", t("anonymous.choiceLabel")),
        h("p", { class: "muted", id: "anonymous-help", style: "margin:4px 0 0" }, t("anonymous.choiceHelp"))));
    }
  };
  if (!flow.joined(visitId)) {
    replace(box, note(t("anonymous.joining")));
    await join();
  }
  void show();
}

/** Posts the review anonymously: the proof made on this device in a worker, no signature. */
async function postAnonymously(
  result: HTMLElement, ctx: Context, choice: WalletChoice, source: IdentitySource,
  fields: { rating: number; treatment: number; bedside: number; waitTime: number; text: string }, form: HTMLFormElement,
): Promise<void> {
  const flow = await import("../anonymous/flow");
  const { isOpen } = await import("../anonymous/identity");
  if (!isOpen(source)) replace(result, h("p", {}, t("anonymous.opening")));
  let posted: Awaited<ReturnType<typeof flow.postAnonymously>>;
  try {
    posted = await flow.postAnonymously(source, ctx.chain, ctx.invitation.dentist, fields, lang,
      () => replace(result, h("p", { id: "proving", role: "status" }, t("anonymous.proving"))));
  } catch (error) {
    const code = error instanceof ApiError ? error.code : "";
    const sentence = error instanceof ApiError ? explain(error)
      : error instanceof flow.NoPrf ? t("anonymous.needsPrf")
      : error instanceof flow.RootMismatch ? t("anonymous.rootMismatch")
      : error instanceof flow.NotMember ? t("anonymous.notMember")
      : error instanceof flow.GroupClosed ? t("anonymous.unavailable")
      : error instanceof WalletError ? (choice.passkey ? explainPasskey(error) : explainWallet(error))
      : t("anonymous.proofFailed");
    if (!(error instanceof ApiError)) console.error(error);
    replace(result, alert("bad", h("span", { "data-code": code }, sentence)));
    return;
  }
  const box = h("section", { class: "card", id: "anonymous-status", "aria-live": "polite" },
    h("h2", { style: "margin-top:0", tabindex: -1 }, t("anonymous.receivedTitle")),
    h("blockquote", { class: "review", id: "published-review" },
      ratingStars(fields.rating, stars(fields.rating)),
      h("p", {}, fields.text)),
    alert("ok", h("span", { id: "anonymous-received" }, t("anonymous.received"))),
    // The passkey path names no address outside "Details".
    choice.passkey
      ? [h("p", {}, tLinked("anonymous.rewardToPasskey", ["/me"])),
          h("details", {}, h("summary", {}, t("invite.details")), h("p", { class: "mono", id: "reward-address" }, posted.rewardTo))]
      : h("p", {}, compose("anonymous.rewardTo", ["/me"], { address: h("span", { class: "mono", id: "reward-address" }, posted.rewardTo) })));
  form.replaceWith(box);
  box.querySelector<HTMLElement>("h2")?.focus();
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
  replace(result, h("p", {}, choice.passkey ? t("invite.signPasskey") : t("invite.signWallet")));
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
    submitted = await api.postReview({ message, signature, language: lang }); // the page's language, unsigned
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
  const steps = h("ol", { class: "steps", "aria-label": t("invite.progress") });
  const details = h("div", {});
  const rewardBox = h("div", { id: "reward" });
  const box = h("section", { class: "card", id: "status", "aria-live": "polite" },
    h("h2", { style: "margin-top:0", tabindex: -1 }, t("invite.published")),
    h("blockquote", { class: "review", id: "published-review" },
      ratingStars(fields.rating, stars(fields.rating)),
      h("p", {}, fields.text)),
    h("p", {}, choice.passkey ? t("invite.storedPasskey") : t("invite.storedWallet")),
    steps, details, rewardBox);
  const showSteps = (review: ReviewOut | null) => {
    const anchored = review?.status === "anchored";
    // `final` is reported by services that track finality; without it, anchored is the end.
    const tracksFinality = review?.final !== undefined;
    const final = anchored && review?.final === true;
    replace(steps,
      h("li", { class: "done" }, t("invite.stepStored")),
      h("li", { class: anchored ? "done" : "now" }, anchored
        ? choice.passkey ? t("invite.stepAnchoredPasskey") : t("invite.stepAnchoredBlock", { block: String(review?.blockNumber) })
        : t("invite.stepAnchoring")),
      tracksFinality ? h("li", { class: final ? "done" : anchored ? "now" : "" }, final ? t("invite.stepFinal") : t("invite.stepFinalPending")) : null);
    if (review?.status === "failed") {
      replace(details, alert("bad", t("invite.anchoringFailed", { reason: review.failureReason ?? review.failureCode ?? t("invite.unknownReason") })));
    } else if (anchored && review) {
      const tx = h("p", {}, compose("invite.transaction", [], { hash: h("span", { class: "mono", id: "tx" }, review.txHash ?? "") }));
      replace(details,
        choice.passkey
          ? h("details", {}, h("summary", {}, t("invite.details")), tx, h("p", {}, t("invite.block", { block: String(review.blockNumber) })))
          : tx,
        h("p", {}, tLinked("invite.verifyLinks", [`/verify/${review.id}`, `/dentists/${review.dentist}`])));
    }
  };
  showSteps(null);
  if (!submitted.reward.rewarded) {
    replace(rewardBox, alert("warn", t("invite.noReward", { reason: submitted.reward.reason ?? t("invite.rewardLimit") })));
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
  let balance: bigint;
  let token: string;
  try {
    const { createPublicClient, custom, getAddress } = await import("viem");
    const { tokenAbi } = await import("../abi");
    const client = createPublicClient({ transport: custom(provider) });
    const address = getAddress(ctx.chain.token);
    token = address;
    balance = await client.readContract({ address, abi: tokenAbi, functionName: "balanceOf", args: [getAddress(account)] });
  } catch {
    replace(box, alert("warn", t("invite.rewardUnreadable")));
    return;
  }
  const watch = h("button", { type: "button", class: "secondary" }, t("invite.addToken", { symbol: ctx.symbol }));
  const watchResult = h("span", { "aria-live": "polite" });
  watch.addEventListener("click", async () => {
    try {
      const added = await call<boolean>(provider, "wallet_watchAsset", {
        type: "ERC20",
        options: { address: token, symbol: ctx.symbol, decimals: ctx.decimals },
      });
      watchResult.textContent = ` ${added ? t("invite.tokenAdded", { symbol: ctx.symbol }) : t("invite.notAdded")}`;
    } catch (error) {
      watchResult.textContent = ` ${explainWallet(error)}`;
    }
  });
  const paid = balance > 0n;
  replace(box,
    alert(paid ? "ok" : "warn",
      paid ? h("strong", {}, t("invite.rewardReceived")) : t("invite.rewardSoon"),
      ...compose("invite.balanceFromContract", [], { balance: h("span", { id: "balance" }, `${tokenAmount(balance, ctx.decimals)} ${ctx.symbol}`) })),
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
    replace(box, alert("warn", t("invite.passkeyRewardUnreadable")));
    return;
  }
  const paid = BigInt(facts.rewardBalance) > 0n;
  replace(box,
    alert(paid ? "ok" : "warn",
      paid ? h("strong", {}, t("invite.rewardReceived")) : t("invite.rewardSoon"),
      ...compose("invite.passkeyBalance", ["/me"], {
        balance: h("span", { id: "balance" }, t("signin.rewardAmount", { amount: `${tokenAmount(facts.rewardBalance, ctx.decimals)} ${ctx.symbol}` })),
      })));
}
