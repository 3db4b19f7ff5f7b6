// Verification page: check a review in the browser against the chain, trusting nothing
// from our server. The proof comes from our API, or is pasted or uploaded.
//
// Three outcomes, said in words: verified; waiting (a genuine change not anchored yet, or
// a block not final yet: re-checked on its own with the current proof until it settles);
// not verified (only a check that really failed).
import { api, ChainFacts } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { stars } from "../format";
import { ratingStars, t, useMessages } from "../i18n";
import { handedOverFullProof, meApi } from "../patient/api";
import { Check, dentistOf, parseProof, Proof, verifyProof } from "../verify/checks";

const FALLBACK_RPC = "http://127.0.0.1:8545";
const MARK = { pass: "verify.markPass", fail: "verify.markFail", wait: "verify.markWait", info: "verify.markInfo" } as const;
/** Seconds between re-checks while waiting: about two minutes in all. */
const RECHECK_AFTER = [3, 5, 8, 13, 21, 34, 40];

function checkList(checks: Check[]): HTMLElement {
  return h("ul", { class: "checks" }, checks.map((c) =>
    h("li", { "data-check": c.name, "data-verdict": c.verdict },
      h("span", { class: `pill ${c.verdict}` }, t(MARK[c.verdict])),
      h("div", {}, h("div", { class: "name" }, c.title), h("div", { class: "muted" }, c.detail)))));
}

type Outcome = "pass" | "wait" | "fail";

function outcomeOf(checks: Check[]): Outcome {
  if (checks.some((c) => c.verdict === "fail")) return "fail";
  return checks.some((c) => c.verdict === "wait") ? "wait" : "pass";
}

function verdict(checks: Check[], outcome: Outcome, next: string): HTMLElement {
  if (outcome === "fail") {
    const failed = checks.filter((c) => c.verdict === "fail").length;
    return h("div", { class: "notice bad verdict", id: "verdict", "data-verdict": "fail", role: "alert" },
      t("verify.notVerified", { count: failed }));
  }
  if (outcome === "wait") {
    const change = checks.some((c) => c.name === "author-anchors" && c.verdict === "wait");
    return h("div", { class: "notice info verdict", id: "verdict", "data-verdict": "wait", role: "status" },
      t(change ? "verify.waitingChange" : "verify.waitingFinal"),
      h("span", { class: "verdict-next", id: "verdict-next" }, ` ${next}`));
  }
  return h("div", { class: "notice ok verdict", id: "verdict", "data-verdict": "pass", role: "status" },
    t("verify.verified"));
}

/** The version a reader should see: the latest signed edit's, else the review's own. */
function latestMessage(proof: Proof): Record<string, unknown> {
  const edits = (proof.author?.revisions ?? []).filter((r) => r.kind === "edit");
  return edits.length ? edits[edits.length - 1].message : proof.review.message;
}

async function practiceName(dentist: string): Promise<string | null> {
  if (!/^0x[0-9a-fA-F]{40}$/.test(dentist)) return null;
  try {
    return (await api.reputation(dentist)).name;
  } catch {
    return null;
  }
}

function reviewCard(proof: Proof, name: string | null): HTMLElement {
  const m = latestMessage(proof);
  const dentist = dentistOf(proof);
  const state = proof.author?.state;
  return h("div", { class: "card", id: "proof-review" },
    h("p", { style: "margin-top:0" }, h("strong", {}, name ? t("verify.reviewOf", { name }) : t("verify.reviewInProof"))),
    h("p", { class: "row" },
      ratingStars(Number(m.rating), stars(Number(m.rating)), String(m.rating)),
      h("span", { class: "muted" }, t("verify.subratings", { treatment: String(m.treatment), bedside: String(m.bedside), waitTime: String(m.waitTime) }))),
    state === "erased"
      ? h("p", { class: "muted", id: "erased-note" }, t("verify.erasedNote"))
      : h("p", { style: "white-space:pre-wrap", id: "proof-text" }, String(m.text ?? "")),
    state === "edited"
      ? h("p", { class: "muted", id: "edited-note" }, t("verify.editedNote"))
      : null,
    /^0x[0-9a-fA-F]{40}$/.test(dentist)
      ? h("p", { class: "muted", style: "margin-bottom:0" }, h("a", { href: `/dentists/${dentist}` }, name ? t("verify.seePractice", { name }) : t("verify.seeThePractice")))
      : null);
}

export async function render(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  await useMessages("verify");
  const reviewId = match[1] ? Number(match[1]) : null;
  setTitle(reviewId ? t("verify.titleReview", { id: String(reviewId) }) : t("verify.title"), t("verify.description"));
  const handedOver = reviewId === null && new URLSearchParams(window.location.search).get("proof") === "full"
    ? handedOverFullProof()
    : null;
  const rpc = h("input", { id: "rpc", type: "url", value: FALLBACK_RPC, autocomplete: "off", spellcheck: "false" });
  const registry = h("input", { id: "registry", type: "text", value: "", autocomplete: "off", spellcheck: "false", class: "mono" });
  const proofText = h("textarea", { id: "proof", spellcheck: "false", class: "mono", style: "min-height:220px" });
  const file = h("input", { id: "proof-file", type: "file", accept: "application/json,.json" });
  const run = h("button", { type: "submit", id: "check" }, t("verify.check"));
  // Space is kept for the review and the verdict, so that nothing below them jumps.
  const reserved = reviewId !== null || handedOver !== null;
  const source = h("div", { class: reserved ? "verify-source" : "" });
  const output = h("section", { id: "output", class: reserved ? "verify-output" : "", "aria-live": "polite", "aria-label": t("verify.result") });
  replace(
    main,
    h("h1", {}, reviewId ? t("verify.headingReview") : t("verify.title")),
    h("p", { class: "muted" }, t("verify.intro")),
    source,
    output,
    h("form", { class: "card", id: "verify-form", "aria-label": t("verify.formLabel") },
      h("h2", { style: "margin-top:0" }, reviewId ? t("verify.formHeadingReview") : t("verify.formHeading")),
      h("label", { for: "rpc" }, t("verify.rpcLabel")),
      h("p", { class: "muted", style: "margin:0 0 6px" }, t("verify.rpcHelp")),
      rpc,
      h("label", { for: "registry", style: "margin-top:12px" }, t("verify.registryLabel")),
      h("p", { class: "muted", style: "margin:0 0 6px" }, t("verify.registryHelp")),
      registry,
      h("label", { for: "proof", style: "margin-top:12px" }, t("verify.proofLabel")),
      proofText,
      h("div", { class: "row", style: "margin-top:8px" },
        h("label", { for: "proof-file", style: "margin:0" }, t("verify.uploadLabel")), file),
      h("p", {}, run)),
  );
  replace(output, h("div", { class: "notice info verdict", id: "verdict-pending", role: "status" }, t("verify.checking")));
  // The form works at once; the chain's facts fill the node and registry when they come.
  const facts: Promise<ChainFacts | null> = api.chain().catch(() => null);
  void facts.then((chain) => {
    if (chain?.rpcUrl && rpc.value === FALLBACK_RPC) rpc.value = chain.rpcUrl;
    if (chain?.registry && registry.value === "") registry.value = chain.registry;
  });
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (chosen) proofText.value = await chosen.text();
  });

  let named: { dentist: string; name: string | null } | null = null;
  const showReview = async (proof: Proof) => {
    if (!proof.review?.message) return;
    const dentist = dentistOf(proof);
    if (named?.dentist !== dentist) named = { dentist, name: await practiceName(dentist) };
    replace(source, reviewCard(proof, named.name));
  };

  // Where the current proof comes from: our API (public, or the patient's own), or
  // nowhere (pasted or uploaded: only the visitor can give a newer one).
  let fetchCurrent: (() => Promise<string>) | null = null;
  if (reviewId !== null) fetchCurrent = async () => JSON.stringify(await api.proof(reviewId), null, 2);
  else if (handedOver) fetchCurrent = async () => JSON.stringify(await meApi.proof(handedOver.reviewId), null, 2);

  let timer: number | undefined;
  let attempt = 0;
  const check = async (manual: boolean) => {
    window.clearTimeout(timer);
    let proof;
    try {
      proof = parseProof(proofText.value);
    } catch (error) {
      replace(output, h("div", { class: "notice bad", role: "alert", id: "verdict", "data-verdict": "fail" }, (error as Error).message));
      return;
    }
    run.disabled = true;
    await showReview(proof);
    try {
      const chain = await facts;
      const checks = await verifyProof(proof, rpc.value.trim(), registry.value.trim() || null, chain?.finality ?? null);
      const outcome = outcomeOf(checks);
      // A pasted proof does not change: checked again only while its block becomes final.
      const changeWaits = checks.some((c) => c.name === "author-anchors" && c.verdict === "wait");
      const again = outcome === "wait" && attempt < RECHECK_AFTER.length && (fetchCurrent !== null || !changeWaits);
      const next = t(again ? "verify.nextAuto" : fetchCurrent ? "verify.nextReload" : "verify.nextNewer");
      replace(output,
        verdict(checks, outcome, outcome === "wait" ? next : ""),
        h("details", { class: "card auditor-details", id: "auditor-details", open: outcome === "fail" },
          h("summary", {}, t("verify.auditorDetails")),
          checkList(checks)));
      if (manual) output.scrollIntoView({ block: "start" });
      if (again) {
        timer = window.setTimeout(() => void recheck(), RECHECK_AFTER[attempt++] * 1000);
      }
    } finally {
      run.disabled = false;
    }
  };
  // Waiting: fetch the current proof (a change may have been anchored since) and check it.
  const recheck = async () => {
    if (fetchCurrent) {
      try {
        proofText.value = await fetchCurrent();
      } catch {
        // keep the proof in hand; the next check says what it finds
      }
    }
    await check(false);
  };
  main.querySelector("form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt = 0;
    void check(true);
  });

  if (handedOver) {
    // The patient's own full proof from "My reviews": the current one when they are still
    // signed in, else the one handed over.
    try {
      proofText.value = await fetchCurrent!();
    } catch {
      proofText.value = handedOver.text;
    }
    await check(false);
    return;
  }
  if (reviewId === null) {
    // The route is code, not words: it goes where the message puts {route}.
    const [before, after = ""] = t("verify.pasteHint").split("{route}");
    replace(source, h("p", {}, before, h("span", { class: "mono" }, "GET /v1/reviews/{id}/proof"), after));
    replace(output);
    return;
  }
  try {
    proofText.value = await fetchCurrent!();
    await check(false);
  } catch (error) {
    replace(output);
    replace(source, h("div", { class: "notice bad", role: "alert" }, explain(error)));
  }
}
