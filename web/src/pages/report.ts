// "Report" on each review of a public profile: a reason from the fixed list, posted to the
// flag endpoint; the review stays online, shown "under review" until an operator decides.
import "../moderation.css";
import { ReviewOut } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { date } from "../format";
import { explainFlag, FLAG_REASONS, flagReview } from "../moderation";

let counter = 0;

/** The "Report" disclosure for one review (none for a removed or erased one). */
export function reportControl(review: ReviewOut): HTMLElement | null {
  if (review.state === "removed" || review.state === "erased") return null;
  const id = `report-${review.id}-${++counter}`;
  const status = h("div", { class: "report-status", "aria-live": "polite" });
  const send = h("button", { type: "submit" }, "Send report");
  const form = h("form", { class: "report-form", "aria-describedby": `${id}-help` },
    h("fieldset", { class: "rating" },
      h("legend", {}, "Why should a moderator look at this review?"),
      h("div", { class: "reasons" }, FLAG_REASONS.map(([value, label]) =>
        h("label", {}, h("input", { type: "radio", name: id, value }), ` ${label}`)))),
    h("p", { class: "muted", id: `${id}-help` },
      "The review stays online while a moderator looks at it. Reports are anonymous unless you are signed in."),
    h("div", { class: "row" }, send),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>(`input[name="${id}"]:checked`);
    if (!chosen) {
      replace(status, h("p", { class: "error", role: "alert" }, "Choose a reason first, then send the report."));
      return;
    }
    send.disabled = true;
    replace(status, h("p", { class: "muted" }, "Sending…"));
    try {
      await flagReview(review.id, chosen.value);
    } catch (error) {
      send.disabled = false;
      replace(status, h("p", { class: "error", role: "alert" }, explainFlag(error, explain)));
      return;
    }
    const label = FLAG_REASONS.find(([v]) => v === chosen.value)?.[1] ?? chosen.value;
    replace(form, h("p", { class: "notice ok", role: "status" },
      `Thank you: your report (${label.toLowerCase()}) was received. `
      + "The review stays online, marked \u201cunder review\u201d, until a moderator keeps or removes it."));
    const article = form.closest("article");
    if (article && !article.querySelector(".badge.moderation")) {
      article.querySelector(".row")?.append(h("span", { class: "badge warn moderation" }, "under review"));
    }
  });
  return h("details", { class: "report" }, h("summary", {}, "Report"), form);
}

/** The last keep decision, said publicly on a review that stays ("kept after review"). */
export function moderationNote(review: ReviewOut): HTMLElement | null {
  const decisions = review.decisions ?? [];
  const last = decisions[decisions.length - 1];
  if (!last || last.action !== "keep" || review.state === "under_review") return null;
  return h("p", { class: "muted moderation-note" },
    `Reported, and kept by moderation on ${date(last.decidedAt)}: ${last.reasonLabel}.`);
}
