// The parts of a review form shared by the invitation page and "My reviews": the rating
// questions, the live text counters from the policy, and the typed data a wallet signs.
import { Eip712, Policy } from "./api";
import { h } from "./dom";
import { charCount, wordCount } from "./format";
import { t, type Key } from "./i18n";

// Messages: namespace "reviewform"; a page using this module loads it first.

export type RatingKey = "rating" | "treatment" | "bedside" | "waitTime";

/** Each rating question by its field and its message (translated when shown). */
export const RATINGS: [key: RatingKey, question: Key][] = [
  ["rating", "reviewform.qRating"],
  ["treatment", "reviewform.qTreatment"],
  ["bedside", "reviewform.qBedside"],
  ["waitTime", "reviewform.qWaitTime"],
];

/** One 1–5 star question; `checked` preselects a rating (an edit starts from the latest). */
export function ratingGroup(key: string, question: Key, checked?: number | null): HTMLElement {
  return h("fieldset", { class: "rating" },
    h("legend", {}, t(question)),
    h("div", { class: "choices" }, [1, 2, 3, 4, 5].map((n) =>
      h("label", {},
        h("input", { type: "radio", name: key, value: n, required: true, checked: n === checked }),
        h("span", { "aria-hidden": "true" }, `${n} ★`),
        h("span", { class: "sr-only" }, t("reviewform.starCount", { count: n }))))));
}

/** The length rules in words, for the help line under the text (ends with a space). */
export function textRules(policy: Policy): string {
  return t("reviewform.textRules", { min: policy.text_min_chars, max: policy.text_max_chars, count: policy.text_min_words });
}

/** "Do not include health details…", the line after textRules. */
export function healthNote(): string {
  return t("reviewform.healthNote");
}

/** Whether the text fits the policy's length limits. */
export function textFits(text: string, policy: Policy): boolean {
  const c = charCount(text);
  return c >= policy.text_min_chars && c <= policy.text_max_chars && wordCount(text) >= policy.text_min_words;
}

/** Live character and word counters for `text`, updated on every input. */
/** What keeps the filled form from being signed, in words (null when it may be signed);
 * `text` says whether the text is to blame, so the page can put the focus there. */
export function formProblem(data: FormData, text: string, policy: Policy): { message: string; text: boolean } | null {
  const missing = RATINGS.filter(([key]) => !data.get(key));
  if (missing.length) {
    return { message: t("reviewform.chooseRating", { questions: missing.map(([, q]) => t(q)).join(t("reviewform.listSeparator")) }), text: false };
  }
  if (!textFits(text, policy)) return { message: t("reviewform.doesNotFit"), text: true };
  return null;
}

export function textCounters(text: HTMLTextAreaElement, policy: Policy, id: string): HTMLElement {
  const chars = h("span", {});
  const words = h("span", {});
  const update = () => {
    const c = charCount(text.value);
    const w = wordCount(text.value);
    const charsOk = c >= policy.text_min_chars && c <= policy.text_max_chars;
    chars.className = charsOk ? "fine" : "short";
    chars.textContent = c > policy.text_max_chars
      ? t("reviewform.charsTooMany", { count: c, over: c - policy.text_max_chars })
      : t("reviewform.charsCounter", { current: c, count: policy.text_min_chars, max: policy.text_max_chars });
    words.className = w >= policy.text_min_words ? "fine" : "short";
    words.textContent = t("reviewform.wordsCounter", { current: w, count: policy.text_min_words });
  };
  text.addEventListener("input", update);
  update();
  return h("div", { class: "counters", id, "aria-live": "polite" }, chars, words);
}

/** The typed data for `eth_signTypedData_v4`: the served domain and only the served
 * EIP712Domain and `primaryType` types (none of these types refers to another). */
export function typedData(eip712: Eip712, primaryType: string, message: Record<string, unknown>): unknown {
  const types: Eip712["types"] = { [primaryType]: eip712.types[primaryType] };
  if (eip712.types.EIP712Domain) types.EIP712Domain = eip712.types.EIP712Domain;
  return { domain: eip712.domain, types, primaryType, message };
}

/** A signature deadline: an hour ahead, or less if the policy allows less. */
export function deadline(policy: Policy): number {
  return Math.floor(Date.now() / 1000) + Math.min(3600, policy.max_deadline_ahead_seconds - 60);
}

/** The optional "would you recommend us?" question: a 0–10 radio group, unanswered at
 * first; "Clear my answer" appears once a score is chosen, to skip it again. */
export function recommendGroup(): HTMLElement {
  const clear = h("button", { type: "button", class: "secondary", id: "recommend-clear", hidden: true }, t("reviewform.clearAnswer"));
  const group = h("fieldset", { class: "rating recommend", id: "recommend", "aria-describedby": "recommend-scale" },
    h("legend", {}, t("reviewform.recommendQuestion"), h("span", { class: "muted" }, t("reviewform.optional"))),
    h("p", { id: "recommend-scale", class: "muted recommend-scale" },
      h("span", {}, t("reviewform.scaleLow")), h("span", {}, t("reviewform.scaleHigh"))),
    h("div", { class: "choices" }, Array.from({ length: 11 }, (_, n) =>
      h("label", {}, h("input", { type: "radio", name: "recommend", value: n }), h("span", {}, String(n))))),
    clear);
  group.addEventListener("change", () => { clear.hidden = false; });
  clear.addEventListener("click", () => {
    for (const input of group.querySelectorAll<HTMLInputElement>("input[name=recommend]")) input.checked = false;
    clear.hidden = true;
  });
  return group;
}

/** The chosen 0–10 score, or null when the patient skipped the question. */
export function recommendScore(data: FormData): number | null {
  const value = data.get("recommend");
  return value === null ? null : Number(value);
}
