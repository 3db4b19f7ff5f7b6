// The flag queue: each flagged review (named or anonymous) with its reports, and a keep /
// remove decision with a reason (and an optional public note), recorded through the
// moderation API.
import { api, ApiError, ReviewOut } from "../api";
import { anonymousApi, type AnonymousReviewOut } from "../anonymous/api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { date, shortAddress, stars } from "../format";
import { FLAG_REASONS, KEEP_REASONS } from "../moderation";
import { notice } from "../signin";
import { AnonymousFlag, DecisionResult, OpenFlag, operatorApi, UnderReview } from "./api";

type Decide = (action: string, reason: string, note: string | null) => Promise<DecisionResult>;

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

function decisionForm(review: { id: number | string; dentist: string }, flags: { reason: string }[], marked: UnderReview | undefined, names: Map<string, string>, onDone: () => void, decide: Decide): HTMLElement {
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
      const done = await decide(action, reason.value, note.value.trim() || null);
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
    decisionForm(review, flags, marked, names, onDone,
      (action, reason, note) => operatorApi.decide(review.id, action, reason, note)));
}

/** A reported anonymous review: the same decision, recorded the same way. Nobody, the
 * operator included, knows who wrote it; the reports name only their reporters. */
function anonymousCard(review: AnonymousReviewOut, flags: AnonymousFlag[], names: Map<string, string>, onDone: () => void): HTMLElement {
  const counts = new Map<string, number>();
  for (const f of flags) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  const first = Math.min(...flags.map((f) => f.createdAt));
  return h("article", { class: "card flagged", "data-anonymous-id": review.id },
    h("div", { class: "row" },
      h("strong", {}, `Anonymous review ${review.id.slice(0, 10)}…`),
      h("a", { href: `/dentists/${review.dentist}` }, names.get(review.dentist) ?? shortAddress(review.dentist)),
      review.rating !== null ? h("span", { class: "stars", "aria-label": `${review.rating} out of 5 stars` }, stars(review.rating)) : null,
      h("span", { class: "badge warn" }, review.stateLabel ?? "under review")),
    h("p", { class: "review-text" }, review.text || "(no text)"),
    h("p", { class: "muted anonymous-note" },
      "The author is anonymous: a proven patient of this practice whom nobody, you included, can identify. Removing it hides its words and ratings and takes it out of the score; there is no author to contact."),
    h("p", { class: "muted" },
      `Reported ${flags.length} time${flags.length === 1 ? "" : "s"}, first on ${date(first)}: `,
      [...counts].map(([reason, n]) => `${label(reason).toLowerCase()}${n > 1 ? ` (${n})` : ""}`).join(", "), "."),
    decisionForm(review, flags, undefined, names, onDone,
      (action, reason, note) => operatorApi.decideAnonymous(review.id, action, reason, note)));
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
    let anonymousFlags: AnonymousFlag[];
    try {
      [flags, marked, anonymousFlags] = await Promise.all([operatorApi.flags(), operatorApi.underReview(), operatorApi.anonymousFlags()]);
    } catch (error) {
      replace(body, notice("bad", explain(error)));
      return;
    }
    const byReview = new Map<number, OpenFlag[]>();
    for (const f of flags) byReview.set(f.reviewId, [...(byReview.get(f.reviewId) ?? []), f]);
    const markedBy = new Map(marked.map((m) => [m.reviewId, m]));
    for (const m of marked) if (!byReview.has(m.reviewId)) byReview.set(m.reviewId, []);
    const byAnonymous = new Map<string, AnonymousFlag[]>();
    for (const f of anonymousFlags) byAnonymous.set(f.anonymousReviewId, [...(byAnonymous.get(f.anonymousReviewId) ?? []), f]);
    if (byReview.size === 0 && byAnonymous.size === 0) {
      replace(body, h("p", { class: "notice info", role: "status", id: "no-flags" }, "No open flags: nothing waits for a decision."));
      return;
    }
    const ids = [...byReview.keys()].sort((a, b) => a - b);
    const anonymousIds = [...byAnonymous.keys()];
    const left = h("p", { class: "muted", id: "flag-count" }, `${ids.length + anonymousIds.length} review(s) wait for a decision.`);
    let open = ids.length + anonymousIds.length;
    const onDone = () => {
      open -= 1;
      left.textContent = open ? `${open} review(s) wait for a decision.` : "No open flags left: every report has a decision.";
    };
    const [reviews, anonymousReviews] = await Promise.all([
      Promise.all(ids.map((id) => api.review(id).catch((e: unknown) => e))),
      Promise.all(anonymousIds.map((id) => anonymousApi.review(id).catch((e: unknown) => e))),
    ]);
    replace(body, left, ids.map((id, i) => {
      const review = reviews[i];
      return review instanceof Error || (review as ReviewOut).id === undefined
        ? notice("bad", `Review ${id}: ${explain(review)}`)
        : flaggedCard(review as ReviewOut, byReview.get(id) ?? [], markedBy.get(id), names, onDone);
    }), anonymousIds.map((id, i) => {
      const review = anonymousReviews[i];
      return review instanceof Error || (review as AnonymousReviewOut).id === undefined
        ? notice("bad", `Anonymous review ${id}: ${explain(review)}`)
        : anonymousCard(review as AnonymousReviewOut, byAnonymous.get(id) ?? [], names, onDone);
    }));
  };
  await reload();
  return { section, reload };
}
