// The parts of a review form shared by the invitation page and "My reviews": the rating
// questions, the live text counters from the policy, and the typed data a wallet signs.
import { Eip712, Policy } from "./api";
import { h } from "./dom";
import { charCount, wordCount } from "./format";

export type RatingKey = "rating" | "treatment" | "bedside" | "waitTime";

export const RATINGS: [key: RatingKey, question: string][] = [
  ["rating", "Overall, how was your visit?"],
  ["treatment", "Quality of the treatment"],
  ["bedside", "How you were treated as a person (bedside manner)"],
  ["waitTime", "Waiting time"],
];

/** One 1–5 star question; `checked` preselects a rating (an edit starts from the latest). */
export function ratingGroup(key: string, question: string, checked?: number | null): HTMLElement {
  return h("fieldset", { class: "rating" },
    h("legend", {}, question),
    h("div", { class: "choices" }, [1, 2, 3, 4, 5].map((n) =>
      h("label", {},
        h("input", { type: "radio", name: key, value: n, required: true, checked: n === checked }),
        h("span", { "aria-hidden": "true" }, `${n} ★`),
        h("span", { class: "sr-only" }, `${n} star${n === 1 ? "" : "s"}`)))));
}

/** The length rules in words, for the help line under the text. */
export function textRules(policy: Policy): string {
  return `Between ${policy.text_min_chars} and ${policy.text_max_chars} characters and at least ${policy.text_min_words} words. `;
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
  if (missing.length) return { message: `Choose a rating for: ${missing.map(([, q]) => q).join("; ")}.`, text: false };
  if (!textFits(text, policy)) return { message: "Your review does not fit the length limits shown under the text yet.", text: true };
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
      ? `${c} characters: ${c - policy.text_max_chars} too many`
      : `${c} of at least ${policy.text_min_chars} characters (at most ${policy.text_max_chars})`;
    words.className = w >= policy.text_min_words ? "fine" : "short";
    words.textContent = `${w} of at least ${policy.text_min_words} words`;
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

export const RECOMMEND_QUESTION = "How likely are you to recommend this practice to a friend or family member?";

/** The optional "would you recommend us?" question: a 0–10 radio group, unanswered at
 * first; "Clear my answer" appears once a score is chosen, to skip it again. */
export function recommendGroup(): HTMLElement {
  const clear = h("button", { type: "button", class: "secondary", id: "recommend-clear", hidden: true }, "Clear my answer");
  const group = h("fieldset", { class: "rating recommend", id: "recommend", "aria-describedby": "recommend-scale" },
    h("legend", {}, RECOMMEND_QUESTION, h("span", { class: "muted" }, " (optional)")),
    h("p", { id: "recommend-scale", class: "muted recommend-scale" },
      h("span", {}, "0 = not at all likely"), h("span", {}, "10 = extremely likely")),
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
