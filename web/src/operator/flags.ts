// The flag queue: each flagged review with its reports, and a keep / remove decision with a
// reason (and an optional public note), recorded through the moderation API.
import { api, ApiError, ReviewOut } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { date, shortAddress, stars } from "../format";
import { FLAG_REASONS, KEEP_REASONS } from "../moderation";
import { notice } from "../signin";
import { OpenFlag, operatorApi, UnderReview } from "./api";

const label = (reason: string): string =>
  [...FLAG_REASONS, ...KEEP_REASONS].find(([v]) => v === reason)?.[1] ?? reason;

function explainDecision(error: unknown): string {
  if (error instanceof ApiError && error.code === "VALIDATION_ERROR") {
    if (error.field === "note") return "The note may have at most 500 characters, with no control characters. Shorten it and record the decision again.";
    if (error.field === "reason") return "Choose a reason from the list: a removal needs one of the report reasons.";
    return "The decision was not in the expected form. Choose keep or remove and a reason, then try again.";
  }
  return explain(error);
}

function decisionForm(review: ReviewOut, flags: OpenFlag[], marked: UnderReview | undefined, names: Map<string, string>, onDone: () => void): HTMLElement {
  const id = `decide-${review.id}`;
  const reason = h("select", { id: `${id}-reason`, name: "reason" });
  const common = [...flags].sort((a, b) =>
    flags.filter((f) => f.reason === b.reason).length - flags.filter((f) => f.reason === a.reason).length)[0]?.reason;
  const fill = (action: string) => {
    const options = action === "remove" ? FLAG_REASONS : KEEP_REASONS;
    const preferred = action === "remove" ? common : flags.length === 0 && marked?.reason === "anomaly" ? "anomaly" : "no_violation";
    replace(reason, options.map(([value, text]) =>
      h("option", { value, selected: value === preferred }, text)));
  };
  const actions = h("div", { class: "choices", role: "radiogroup", "aria-label": "Decision" },
    ["keep", "remove"].map((action) => h("label", {},
      h("input", { type: "radio", name: `${id}-action`, value: action, checked: action === "keep",
        onchange: () => fill(action) }),
      h("span", {}, action === "keep" ? "Keep it online" : "Remove it"))));
  fill("keep");
  const note = h("textarea", { id: `${id}-note`, name: "note", maxlength: 600, rows: 2, style: "min-height:60px" });
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Record decision");
  const form = h("form", { class: "decision" },
    actions,
    h("div", {}, h("label", { for: `${id}-reason` }, "Reason"), reason),
    h("div", {}, h("label", { for: `${id}-note` }, "Note (optional, shown publicly with the decision)"), note),
    h("div", { class: "row" }, submit),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const action = form.querySelector<HTMLInputElement>(`input[name="${id}-action"]:checked`)?.value ?? "keep";
    submit.disabled = true;
    replace(status, h("p", { class: "muted" }, "Recording…"));
    try {
      const done = await operatorApi.decide(review.id, action, reason.value, note.value.trim() || null);
      const who = names.get(review.dentist) ?? shortAddress(review.dentist);
      replace(form, notice("ok",
        action === "keep"
          ? `Kept (${label(done.reason).toLowerCase()}): the review stays online; ${done.resolvedFlags} report(s) resolved. `
          : `Removed (${label(done.reason).toLowerCase()}): the profile now shows \u201cremoved by moderation\u201d and no longer counts it; ${done.resolvedFlags} report(s) resolved. `,
        h("a", { href: `/dentists/${review.dentist}` }, `See ${who}'s public profile`), "."));
      onDone();
    } catch (error) {
      submit.disabled = false;
      replace(status, notice("bad", explainDecision(error)));
    }
  });
  return form;
}

function flaggedCard(review: ReviewOut, flags: OpenFlag[], marked: UnderReview | undefined, names: Map<string, string>, onDone: () => void): HTMLElement {
  const counts = new Map<string, number>();
  for (const f of flags) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  const first = Math.min(...flags.map((f) => f.createdAt));
  const why = flags.length
    ? h("p", { class: "muted" },
        `Reported ${flags.length} time${flags.length === 1 ? "" : "s"}, first on ${date(first)}: `,
        [...counts].map(([reason, n]) => `${label(reason).toLowerCase()}${n > 1 ? ` (${n})` : ""}`).join(", "), ".")
    : h("p", { class: "muted" }, `Marked under review: ${marked?.reasonLabel ?? "by an operator"}. No report.`);
  return h("article", { class: "card flagged", "data-review-id": review.id },
    h("div", { class: "row" },
      h("strong", {}, `Review ${review.id}`),
      h("a", { href: `/dentists/${review.dentist}` }, names.get(review.dentist) ?? shortAddress(review.dentist)),
      review.rating !== null ? h("span", { class: "stars", "aria-label": `${review.rating} out of 5 stars` }, stars(review.rating)) : null,
      h("span", { class: "badge warn" }, review.stateLabel ?? "under review")),
    h("p", { class: "review-text" }, review.text || "(no text)"),
    why,
    decisionForm(review, flags, marked, names, onDone));
}

export interface FlagSection {
  section: HTMLElement;
  reload: () => Promise<void>;
}

/** Every review waiting for a decision, oldest first: the flagged ones with their
 * reports, and those the anomaly signals marked "under review". */
export async function flagSection(names: Map<string, string>): Promise<FlagSection> {
  const body = h("div", {});
  const section = h("section", { id: "flags", "aria-labelledby": "flags-h" },
    h("h2", { id: "flags-h" }, "Flagged reviews"),
    h("p", { class: "muted" },
      "A flagged review stays online, marked \u201cunder review\u201d, until you keep it (the reports are resolved) or remove it with a reason. Every decision is recorded with your wallet and shown on the review."),
    body);
  const reload = async () => {
    let flags: OpenFlag[];
    let marked: UnderReview[];
    try {
      [flags, marked] = await Promise.all([operatorApi.flags(), operatorApi.underReview()]);
    } catch (error) {
      replace(body, notice("bad", explain(error)));
      return;
    }
    const byReview = new Map<number, OpenFlag[]>();
    for (const f of flags) byReview.set(f.reviewId, [...(byReview.get(f.reviewId) ?? []), f]);
    const markedBy = new Map(marked.map((m) => [m.reviewId, m]));
    for (const m of marked) if (!byReview.has(m.reviewId)) byReview.set(m.reviewId, []);
    if (byReview.size === 0) {
      replace(body, h("p", { class: "notice info", role: "status", id: "no-flags" }, "No open flags: nothing waits for a decision."));
      return;
    }
    const ids = [...byReview.keys()].sort((a, b) => a - b);
    const left = h("p", { class: "muted", id: "flag-count" }, `${ids.length} review(s) wait for a decision.`);
    let open = ids.length;
    const onDone = () => {
      open -= 1;
      left.textContent = open ? `${open} review(s) wait for a decision.` : "No open flags left: every report has a decision.";
    };
    const reviews = await Promise.all(ids.map((id) => api.review(id).catch((e: unknown) => e)));
    replace(body, left, ids.map((id, i) => {
      const review = reviews[i];
      return review instanceof Error || (review as ReviewOut).id === undefined
        ? notice("bad", `Review ${id}: ${explain(review)}`)
        : flaggedCard(review as ReviewOut, byReview.get(id) ?? [], markedBy.get(id), names, onDone);
    }));
  };
  await reload();
  return { section, reload };
}
