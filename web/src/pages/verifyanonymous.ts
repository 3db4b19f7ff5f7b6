// Verification of an anonymous review: the browser recomputes its digest, checks its
// zero-knowledge proof and reads the chain through a node the visitor may change. Plain
// words first (the review, then one verdict: verified, waiting or not verified), each
// check for auditors behind a disclosure.
import { api, type ChainFacts } from "../api";
import { anonymousApi, type AnonymousReviewOut } from "../anonymous/api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { stars } from "../format";
import { languageName, ratingStars, t, useMessages } from "../i18n";

const FALLBACK_RPC = "http://127.0.0.1:8545";
const MARK = { pass: "verify.markPass", fail: "verify.markFail", wait: "verify.markWait" } as const;
/** Seconds between re-checks while the review waits for its batch. */
const RECHECK_AFTER = [5, 10, 20, 30, 60, 120];

type Outcome = "pass" | "wait" | "fail";

async function practiceName(dentist: string): Promise<string | null> {
  try {
    return (await api.reputation(dentist)).name;
  } catch {
    return null;
  }
}

function reviewCard(review: AnonymousReviewOut, name: string | null): HTMLElement {
  if (review.rating === null) {  // removed by moderation: nothing of it is shown, nor checked
    return h("div", { class: "card", id: "proof-review" },
      h("p", { style: "margin-top:0" }, h("strong", {}, name ? t("anonymous.reviewOf", { name }) : t("anonymous.reviewInProof"))),
      h("p", { id: "removed-note" }, t("anonymous.removedNote")),
      h("p", { class: "muted", style: "margin-bottom:0" },
        h("a", { href: `/dentists/${review.dentist}` }, name ? t("verify.seePractice", { name }) : t("verify.seeThePractice"))));
  }
  return h("div", { class: "card", id: "proof-review" },
    h("p", { style: "margin-top:0" }, h("strong", {}, name ? t("anonymous.reviewOf", { name }) : t("anonymous.reviewInProof")),
      " ", h("span", { class: "badge ok" }, t("anonymous.badge"))),
    h("p", { class: "row" },
      ratingStars(review.rating, stars(review.rating)),
      h("span", { class: "muted" }, t("verify.subratings", { treatment: String(review.treatment), bedside: String(review.bedside), waitTime: String(review.waitTime) }))),
    h("p", { style: "white-space:pre-wrap", id: "proof-text", lang: review.language ?? null }, review.text),
    review.language ? h("p", { class: "muted" }, t("common.writtenIn", { language: languageName(review.language) })) : null,
    h("p", { class: "muted", style: "margin-bottom:0" },
      h("a", { href: `/dentists/${review.dentist}` }, name ? t("verify.seePractice", { name }) : t("verify.seeThePractice"))));
}

export async function render(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  await useMessages("verify", "anonymous");
  const id = match[1].toLowerCase();
  setTitle(t("anonymous.titleReview", { id }), t("verify.description"));
  const source = h("div", { class: "verify-source" });
  const output = h("section", { id: "output", class: "verify-output", "aria-live": "polite", "aria-label": t("verify.result") });
  const rpc = h("input", { id: "rpc", type: "url", value: FALLBACK_RPC, autocomplete: "off", spellcheck: "false" });
  const registry = h("input", { id: "registry", type: "text", value: "", autocomplete: "off", spellcheck: "false", class: "mono" });
  const again = h("button", { type: "submit", id: "check" }, t("anonymous.recheck"));
  const checksBox = h("div", {});
  const details = h("details", { class: "card auditor-details", id: "auditor-details" },
    h("summary", {}, t("anonymous.auditorDetails")),
    checksBox,
    h("form", { id: "verify-form", "aria-label": t("verify.formLabel") },
      h("label", { for: "rpc" }, t("anonymous.rpcLabel")),
      h("p", { class: "muted", style: "margin:0 0 6px" }, t("verify.rpcHelp")),
      rpc,
      h("label", { for: "registry", style: "margin-top:12px" }, t("anonymous.registryLabel")),
      h("p", { class: "muted", style: "margin:0 0 6px" }, t("verify.registryHelp")),
      registry,
      h("p", {}, again)));
  replace(main,
    h("h1", {}, t("anonymous.headingReview")),
    h("p", { class: "muted" }, t("anonymous.intro")),
    source,
    output,
    details);
  replace(output, h("div", { class: "notice info verdict", id: "verdict-pending", role: "status" }, t("anonymous.checking")));

  let review: AnonymousReviewOut;
  let chain: ChainFacts | null;
  try {
    [review, chain] = await Promise.all([anonymousApi.review(id), api.chain().catch(() => null)]);
  } catch (error) {
    replace(output);
    replace(source, h("div", { class: "notice bad", role: "alert" }, explain(error)));
    return;
  }
  if (chain?.rpcUrl) rpc.value = chain.rpcUrl;
  registry.value = chain?.registry ?? "";
  // The contract the operator publishes; the review's own when the service names none. Either
  // way its registry() must be the registry the visitor expects (a check below).
  const contract = chain?.anonymousReviews ?? review.contract ?? "";
  replace(source, reviewCard(review, await practiceName(review.dentist)));
  if (review.rating === null) {
    replace(output);
    details.hidden = true;
    return;
  }

  const { verifyAnonymous } = await import("../anonymous/checks");
  let timer: number | undefined;
  let attempt = 0;
  const check = async () => {
    window.clearTimeout(timer);
    again.disabled = true;
    try {
      const checks = await verifyAnonymous(review, rpc.value.trim(), registry.value.trim() || review.contract || "", contract);
      const outcome: Outcome = checks.some((c) => c.verdict === "fail") ? "fail" : checks.some((c) => c.verdict === "wait") ? "wait" : "pass";
      const kind = outcome === "pass" ? "ok" : outcome === "wait" ? "info" : "bad";
      const words = outcome === "pass" ? t("anonymous.verified") : outcome === "wait" ? t("anonymous.waiting") : t("anonymous.notVerified");
      replace(output, h("div", { class: `notice ${kind} verdict`, id: "verdict", "data-verdict": outcome, role: outcome === "fail" ? "alert" : "status" }, words));
      replace(checksBox, h("ul", { class: "checks" }, checks.map((c) =>
        h("li", { "data-check": c.name, "data-verdict": c.verdict },
          h("span", { class: `pill ${c.verdict}` }, t(MARK[c.verdict])),
          h("div", {}, h("div", { class: "name" }, c.title), h("div", { class: "muted mono-wrap" }, c.detail))))));
      details.open = outcome === "fail";
      if (outcome === "wait" && attempt < RECHECK_AFTER.length) {
        timer = window.setTimeout(async () => {
          try {
            review = await anonymousApi.review(id);
          } catch {
            // keep the one in hand
          }
          await check();
        }, RECHECK_AFTER[attempt++] * 1000);
      }
    } finally {
      again.disabled = false;
    }
  };
  details.querySelector("form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt = 0;
    void check();
  });
  await check();
}
