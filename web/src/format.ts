// Formatting shared by the pages and the widget: numbers and dates in the reader's
// language (Intl), sentences through the caller's messages.
import { currentLang, type Lang, type Params } from "./i18n/lang";

const pageLang: Lang = currentLang();

export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** Below this many reviews a score says too little about a practice: none is shown. */
export const MIN_REVIEWS_FOR_SCORE = 3;

/** The score a page shows: null below MIN_REVIEWS_FOR_SCORE reviews. */
export function shownScore(count: number, value: number | null): number | null {
  return count >= MIN_REVIEWS_FOR_SCORE ? value : null;
}

/** The messages a score sentence needs (namespace "score"), from the pages or the widget. */
export type ScoreSay = (name: "none" | "tooFew" | "outOf5", params: Params) => string;

/** The plain sentence beside a score, or in its place when there are too few reviews. */
export function scoreSentence(count: number, say: ScoreSay): string {
  if (count === 0) return say("none", {});
  return say(count < MIN_REVIEWS_FOR_SCORE ? "tooFew" : "outOf5", { count, min: MIN_REVIEWS_FOR_SCORE });
}

export function score(value: number | null | undefined, lang: Lang = pageLang): string {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}

export function date(unixSeconds: number, lang: Lang = pageLang): string {
  return new Intl.DateTimeFormat(lang, { year: "numeric", month: "short", day: "numeric" }).format(unixSeconds * 1000);
}

export function stars(rating: number): string {
  const full = Math.max(0, Math.min(5, Math.round(rating)));
  return "★".repeat(full) + "☆".repeat(5 - full);
}

/** A token amount in base units (decimal string) shown with its decimals. */
export function tokenAmount(units: string | bigint, decimals: number): string {
  const value = typeof units === "bigint" ? units : BigInt(units);
  const base = BigInt(10) ** BigInt(decimals); // no bigint literal: the widget targets older browsers
  const whole = value / base;
  const fraction = (value % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction.slice(0, 4)}` : whole.toString();
}

/** Characters as the service counts them: Unicode code points of the text as signed. */
export function charCount(text: string): number {
  return [...text].length;
}

/** Scripts written without spaces (Hiragana, Katakana, Han): each character is a word, as
 * the service counts (dentareview/domain/visible_text.py keeps the same ranges). */
const UNSPACED = /[\u{3040}-\u{30ff}\u{31f0}-\u{31ff}\u{3400}-\u{4dbf}\u{4e00}-\u{9fff}\u{f900}-\u{faff}\u{20000}-\u{3134f}]/gu;

/** Words as the service counts them: runs of non-whitespace, and each Chinese or Japanese character. */
export function wordCount(text: string): number {
  const trimmed = text.replace(UNSPACED, " $& ").trim();
  return trimmed ? trimmed.split(/\s+/u).length : 0;
}
