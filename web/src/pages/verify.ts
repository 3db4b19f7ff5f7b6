// Verification page: check a review in the browser against the chain, trusting nothing
// from our server. The proof comes from our API, or is pasted or uploaded.
import { api, ChainFacts } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { stars } from "../format";
import { FULL_PROOF_KEY } from "../patient/api";
import { Check, dentistOf, parseProof, Proof, verifyProof } from "../verify/checks";

const FALLBACK_RPC = "http://127.0.0.1:8545";
const MARK: Record<Check["verdict"], string> = { pass: "PASS", fail: "FAIL", wait: "NOT YET", info: "N/A" };

function checkList(checks: Check[]): HTMLElement {
  return h("ul", { class: "checks" }, checks.map((c) =>
    h("li", { "data-check": c.name, "data-verdict": c.verdict },
      h("span", { class: `pill ${c.verdict}` }, MARK[c.verdict]),
      h("div", {}, h("div", { class: "name" }, c.title), h("div", { class: "muted" }, c.detail)))));
}

function verdict(checks: Check[]): HTMLElement {
  const failed = checks.filter((c) => c.verdict === "fail");
  const waiting = checks.filter((c) => c.verdict === "wait");
  if (failed.length) {
    return h("div", { class: "notice bad verdict", id: "verdict", "data-verdict": "fail", role: "alert" },
      `✗ Not verified: ${failed.length} check${failed.length === 1 ? "" : "s"} failed. Do not trust this review as shown.`);
  }
  if (waiting.length) {
    return h("div", { class: "notice warn verdict", id: "verdict", "data-verdict": "wait", role: "status" },
      "✓ Genuine, unchanged and anchored — the anchoring block is not final yet.");
  }
  return h("div", { class: "notice ok verdict", id: "verdict", "data-verdict": "pass", role: "status" },
    "✓ Verified: genuine, unchanged, anchored and final.");
}

export async function render(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  const reviewId = match[1] ? Number(match[1]) : null;
  setTitle(reviewId ? `Verify review ${reviewId}` : "Verify a review");
  let chain: ChainFacts | null = null;
  try {
    chain = await api.chain();
  } catch {
    chain = null;
  }
  const rpc = h("input", { id: "rpc", type: "url", value: chain?.rpcUrl || FALLBACK_RPC, autocomplete: "off", spellcheck: "false" });
  const registry = h("input", { id: "registry", type: "text", value: chain?.registry ?? "", autocomplete: "off", spellcheck: "false", class: "mono" });
  const proofText = h("textarea", { id: "proof", spellcheck: "false", class: "mono", style: "min-height:220px" });
  const file = h("input", { id: "proof-file", type: "file", accept: "application/json,.json" });
  const run = h("button", { type: "submit", id: "check" }, "Check this proof");
  const output = h("section", { id: "output", "aria-live": "polite", "aria-label": "Result" });
  const source = h("div", {});
  replace(
    main,
    h("h1", {}, reviewId ? `Verify review ${reviewId}` : "Verify a review"),
    h("p", { class: "muted" },
      "Your browser recomputes the review's hash, recovers who signed it and reads the blockchain through the node you choose. ",
      "Nothing our server says is taken on trust: change anything in the proof and the checks turn red."),
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
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (chosen) proofText.value = await chosen.text();
  });
  const showReview = (proof: Proof) => {
    const m = proof.review?.message as Record<string, unknown> | undefined;
    if (!m) return;
    const dentist = dentistOf(proof);
    replace(source,
      h("div", { class: "card", id: "proof-review" },
        h("p", { style: "margin-top:0" }, h("strong", {}, "The review in this proof:")),
        h("p", { class: "row" },
          h("span", { class: "stars", "aria-label": `${m.rating} out of 5 stars` }, stars(Number(m.rating))),
          h("span", { class: "muted" }, `Treatment ${m.treatment}/5 · Bedside manner ${m.bedside}/5 · Waiting time ${m.waitTime}/5`)),
        proof.author?.state === "erased"
          ? h("p", { class: "muted", id: "erased-note" }, "Erased by its author: the text is deleted; the ratings, the text's hash and the signed request stay as the proof.")
          : h("p", { style: "white-space:pre-wrap" }, String(m.text ?? "")),
        proof.author?.state === "edited"
          ? h("p", { class: "muted", id: "edited-note" }, "Edited by its author: this is the first version, the one anchored with the review; the checks below cover every later signed version.")
          : null,
        /^0x[0-9a-fA-F]{40}$/.test(dentist)
          ? h("p", { class: "muted" }, h("a", { href: `/dentists/${dentist}` }, "See the practice's page"))
          : null));
  };
  const check = async (manual = false) => {
    let proof;
    try {
      proof = parseProof(proofText.value);
    } catch (error) {
      replace(output, h("div", { class: "notice bad", role: "alert", id: "verdict", "data-verdict": "fail" }, (error as Error).message));
      return;
    }
    run.disabled = true;
    showReview(proof);
    replace(output, h("p", {}, "Checking…"));
    try {
      const checks = await verifyProof(proof, rpc.value.trim(), registry.value.trim() || null, chain?.finality ?? null);
      replace(output, verdict(checks), h("div", { class: "card" }, checkList(checks)));
      if (manual) output.scrollIntoView({ block: "start" });
    } finally {
      run.disabled = false;
    }
  };
  main.querySelector("form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    void check(true);
  });
  const handedOver = reviewId === null && new URLSearchParams(window.location.search).get("proof") === "full"
    ? window.sessionStorage.getItem(FULL_PROOF_KEY)
    : null;
  if (handedOver) {
    // The patient's own full proof, handed over by "My reviews" in this tab.
    proofText.value = handedOver;
    await check();
    return;
  }
  if (reviewId === null) {
    replace(source, h("p", {}, "Paste a proof below, or upload one. A proof is what ", h("span", { class: "mono" }, "GET /v1/reviews/{id}/proof"), " returns."));
    return;
  }
  try {
    proofText.value = JSON.stringify(await api.proof(reviewId), null, 2);
    await check();
  } catch (error) {
    replace(source, h("div", { class: "notice bad", role: "alert" }, explain(error)));
  }
}
