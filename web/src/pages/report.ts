// "Report" on each review of a public profile, named or anonymous: a reason from the fixed
// list, posted to the flag endpoint; the review stays online, shown "under review" until an
// operator decides.
import "../moderation.css";
import { ApiError, type Decision } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { date } from "../format";
import { inSentence, lookup, t } from "../i18n";
import { FLAG_REASONS, flagAnonymousReview, flagReview } from "../moderation";

/** What the control needs of a review: a named review's numeric id, or an anonymous
 * review's 0x-hex id (reported at its own route, under the same rules). */
export interface Reportable {
  id: number | string;
  state?: string;
  decisions?: Decision[];
}

/** A reason's label in the reader's language (the service's English label otherwise). */
function reasonLabel(value: string, english: string): string {
  return lookup("profile", `reason_${value}`) ?? english;
}

let counter = 0;

/** Why a report was refused, in words; the service's sentence for anything else. */
function explainFlag(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "VALIDATION_ERROR") return t("profile.flagInvalid");
    if (error.code === "RATE_LIMITED") return t("profile.flagRateLimited");
    if (error.code === "REVIEW_NOT_FOUND" || error.code === "ANONYMOUS_REVIEW_NOT_FOUND") return t("profile.flagGone");
  }
  return explain(error);
}

/** The "Report" disclosure for one review (none for a removed or erased one). */
export function reportControl(review: Reportable): HTMLElement | null {
  if (review.state === "removed" || review.state === "erased") return null;
  const id = `report-${review.id}-${++counter}`;
  const status = h("div", { class: "report-status", "aria-live": "polite" });
  const send = h("button", { type: "submit" }, t("profile.sendReport"));
  const form = h("form", { class: "report-form", "aria-describedby": `${id}-help` },
    h("fieldset", { class: "rating" },
      h("legend", {}, t("profile.reportWhy")),
      h("div", { class: "reasons" }, FLAG_REASONS.map(([value, label]) =>
        h("label", {}, h("input", { type: "radio", name: id, value }), ` ${reasonLabel(value, label)}`)))),
    h("p", { class: "muted", id: `${id}-help` }, t("profile.reportHelp")),
    h("div", { class: "row" }, send),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>(`input[name="${id}"]:checked`);
    if (!chosen) {
      replace(status, h("p", { class: "error", role: "alert" }, t("profile.reportChoose")));
      return;
    }
    send.disabled = true;
    replace(status, h("p", { class: "muted" }, t("profile.sending")));
    try {
      await (typeof review.id === "string" ? flagAnonymousReview(review.id, chosen.value) : flagReview(review.id, chosen.value));
    } catch (error) {
      send.disabled = false;
      replace(status, h("p", { class: "error", role: "alert" }, explainFlag(error)));
      return;
    }
    const label = reasonLabel(chosen.value, FLAG_REASONS.find(([v]) => v === chosen.value)?.[1] ?? chosen.value);
    replace(form, h("p", { class: "notice ok", role: "status" },
      t("profile.reportThanks", { reason: inSentence(label) })));
    const article = form.closest("article");
    if (article && !article.querySelector(".badge.moderation")) {
      article.querySelector(".row")?.append(h("span", { class: "badge warn moderation" }, t("profile.state_under_review")));
    }
  });
  return h("details", { class: "report" }, h("summary", {}, t("profile.report")), form);
}

/** The last keep decision, said publicly on a review that stays ("kept after review"). */
export function moderationNote(review: Reportable): HTMLElement | null {
  const decisions = review.decisions ?? [];
  const last = decisions[decisions.length - 1];
  if (!last || last.action !== "keep" || review.state === "under_review") return null;
  return h("p", { class: "muted moderation-note" },
    t("profile.keptNote", { date: date(last.decidedAt), reason: inSentence(reasonLabel(last.reason, last.reasonLabel)) }));
}
