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
import { handedOverFullProof, meApi } from "../patient/api";
import { Check, dentistOf, parseProof, Proof, verifyProof } from "../verify/checks";

const FALLBACK_RPC = "http://127.0.0.1:8545";
const MARK: Record<Check["verdict"], string> = { pass: "PASS", fail: "FAIL", wait: "NOT YET", info: "N/A" };
/** Seconds between re-checks while waiting: about two minutes in all. */
const RECHECK_AFTER = [3, 5, 8, 13, 21, 34, 40];

function checkList(checks: Check[]): HTMLElement {
  return h("ul", { class: "checks" }, checks.map((c) =>
    h("li", { "data-check": c.name, "data-verdict": c.verdict },
      h("span", { class: `pill ${c.verdict}` }, MARK[c.verdict]),
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
      `✗ Not verified: ${failed} check${failed === 1 ? "" : "s"} failed. Do not trust this review as shown.`);
  }
  if (outcome === "wait") {
    const change = checks.some((c) => c.name === "author-anchors" && c.verdict === "wait");
    return h("div", { class: "notice info verdict", id: "verdict", "data-verdict": "wait", role: "status" },
      change
        ? "Waiting for anchoring: the author's latest change is signed and waits to be recorded on the public blockchain, usually within a minute."
        : "Genuine and unchanged, waiting to be final: its public record is not final yet, usually within a minute.",
      h("span", { class: "verdict-next", id: "verdict-next" }, ` ${next}`));
  }
  return h("div", { class: "notice ok verdict", id: "verdict", "data-verdict": "pass", role: "status" },
    "✓ Verified: genuine, unchanged, anchored and final.");
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
    h("p", { style: "margin-top:0" }, h("strong", {}, name ? `A review of ${name}` : "The review in this proof")),
    h("p", { class: "row" },
      h("span", { class: "stars", role: "img", "aria-label": `${m.rating} out of 5 stars` }, stars(Number(m.rating))),
      h("span", { class: "muted" }, `Treatment ${m.treatment}/5 · Bedside manner ${m.bedside}/5 · Waiting time ${m.waitTime}/5`)),
    state === "erased"
      ? h("p", { class: "muted", id: "erased-note" }, "Erased by its author: the text is deleted; the ratings and the proof that the patient asked for it stay.")
      : h("p", { style: "white-space:pre-wrap", id: "proof-text" }, String(m.text ?? "")),
    state === "edited"
      ? h("p", { class: "muted", id: "edited-note" }, "Edited by its author: this is the latest version. Every earlier version is signed and checked too.")
      : null,
    /^0x[0-9a-fA-F]{40}$/.test(dentist)
      ? h("p", { class: "muted", style: "margin-bottom:0" }, h("a", { href: `/dentists/${dentist}` }, name ? `See ${name}'s page` : "See the practice's page"))
      : null);
}

export async function render(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  const reviewId = match[1] ? Number(match[1]) : null;
  setTitle(reviewId ? `Verify review ${reviewId}` : "Verify a review",
    "Check in your own browser that a review comes from a real visit, was written by the patient and has not been changed since.");
  const handedOver = reviewId === null && new URLSearchParams(window.location.search).get("proof") === "full"
    ? handedOverFullProof()
    : null;
  const rpc = h("input", { id: "rpc", type: "url", value: FALLBACK_RPC, autocomplete: "off", spellcheck: "false" });
  const registry = h("input", { id: "registry", type: "text", value: "", autocomplete: "off", spellcheck: "false", class: "mono" });
  const proofText = h("textarea", { id: "proof", spellcheck: "false", class: "mono", style: "min-height:220px" });
  const file = h("input", { id: "proof-file", type: "file", accept: "application/json,.json" });
  const run = h("button", { type: "submit", id: "check" }, "Check this proof");
  // Space is kept for the review and the verdict, so that nothing below them jumps.
  const reserved = reviewId !== null || handedOver !== null;
  const source = h("div", { class: reserved ? "verify-source" : "" });
  const output = h("section", { id: "output", class: reserved ? "verify-output" : "", "aria-live": "polite", "aria-label": "Result" });
  replace(
    main,
    h("h1", {}, reviewId ? "Is this review genuine?" : "Verify a review"),
    h("p", { class: "muted" },
      "Your browser checks this review itself: that the practice confirmed the visit, that the patient signed these words, and that both are on the public record. ",
      "Nothing our server says is taken on trust."),
    source,
    output,
    h("form", { class: "card", id: "verify-form", "aria-label": "Proof and node" },
      h("h2", { style: "margin-top:0" }, reviewId ? "Check again with your own node or proof" : "The proof to check"),
      h("label", { for: "rpc" }, "Blockchain node (RPC URL)"),
      h("p", { class: "muted", style: "margin:0 0 6px" }, "Any node of the chain will do; use your own to trust no one."),
      rpc,
      h("label", { for: "registry", style: "margin-top:12px" }, "Expected registry contract"),
      h("p", { class: "muted", style: "margin:0 0 6px" }, "The address the operator publishes. Leave empty to accept the proof's own."),
      registry,
      h("label", { for: "proof", style: "margin-top:12px" }, "Proof (JSON)"),
      proofText,
      h("div", { class: "row", style: "margin-top:8px" },
        h("label", { for: "proof-file", style: "margin:0" }, "…or upload a proof file:"), file),
      h("p", {}, run)),
  );
  replace(output, h("div", { class: "notice info verdict", id: "verdict-pending", role: "status" }, "Checking…"));
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
      const next = again
        ? "This page checks again on its own."
        : fetchCurrent ? "Still waiting: reload this page in a few minutes." : "Check again later with a newer proof.";
      replace(output,
        verdict(checks, outcome, outcome === "wait" ? next : ""),
        h("details", { class: "card auditor-details", id: "auditor-details", open: outcome === "fail" },
          h("summary", {}, "Details for auditors: each check, with hashes and blocks"),
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
    replace(source, h("p", {}, "Paste a proof below, or upload one. A proof is what ", h("span", { class: "mono" }, "GET /v1/reviews/{id}/proof"), " returns."));
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
