// Translating the patient-facing pages. Messages live in locales/<lang>/<namespace>.json,
// one file per page or part; a page loads only its namespaces in its reader's language.
// English is the reference: every other language has exactly its keys and placeholders
// (tests/web/test_i18n.py), so a missing key fails a test, not a patient.
import { currentLang, LANGUAGES, languageName as nameOf, render, type Lang, type Message, type Params } from "./lang";
import type Common from "./locales/en/common.json";
import type Errors from "./locales/en/errors.json";
import type Score from "./locales/en/score.json";
import type Directory from "./locales/en/directory.json";
import type Profile from "./locales/en/profile.json";
import type Howitworks from "./locales/en/howitworks.json";
import type Invite from "./locales/en/invite.json";
import type Reviewform from "./locales/en/reviewform.json";
import type Checkin from "./locales/en/checkin.json";
import type Signin from "./locales/en/signin.json";
import type Me from "./locales/en/me.json";
import type Verify from "./locales/en/verify.json";
import type Reply from "./locales/en/reply.json";
import type Anonymous from "./locales/en/anonymous.json";

interface Catalogs {
  common: typeof Common;
  errors: typeof Errors;
  score: typeof Score;
  directory: typeof Directory;
  profile: typeof Profile;
  howitworks: typeof Howitworks;
  invite: typeof Invite;
  reviewform: typeof Reviewform;
  checkin: typeof Checkin;
  signin: typeof Signin;
  me: typeof Me;
  verify: typeof Verify;
  reply: typeof Reply;
  anonymous: typeof Anonymous;
}

export type Namespace = keyof Catalogs;
/** "namespace.key", checked against the English catalogs at build time. */
export type Key = { [N in Namespace]: `${N}.${Extract<keyof Catalogs[N], string>}` }[Namespace];

export { LANGUAGES, type Lang };

/** The language of this page view. */
export const lang: Lang = currentLang();

const files = import.meta.glob<Record<string, Message>>("./locales/*/*.json", { import: "default" });
const loaded = new Map<string, Record<string, Message>>();

/** Loads these namespaces in the page's language (each file once); call before t(). */
export async function useMessages(...namespaces: Namespace[]): Promise<void> {
  await Promise.all(
    namespaces.map(async (ns) => {
      if (loaded.has(ns)) return;
      const file = files[`./locales/${lang}/${ns}.json`] ?? files[`./locales/en/${ns}.json`];
      if (!file) throw new Error(`no messages for ${ns}`);
      loaded.set(ns, await file());
    }),
  );
}

/** The message for a key in the page's language, with its placeholders filled. */
export function t(key: Key, params?: Params): string {
  const dot = key.indexOf(".");
  const message = loaded.get(key.slice(0, dot))?.[key.slice(dot + 1)];
  if (message === undefined) throw new Error(`message ${key} is not loaded`);
  return render(lang, message, params);
}

/** A language's name in the reader's language ("Polish" in English, "polaco" in Spanish). */
export function languageName(tag: string): string {
  return nameOf(tag, lang);
}

/** The message for a name known only at run time (an error code), or undefined. */
export function lookup(ns: Namespace, name: string, params?: Params): string | undefined {
  const message = loaded.get(ns)?.[name];
  return message === undefined ? undefined : render(lang, message, params);
}

/** A message whose [bracketed] parts become links, to these addresses in order: translators
 * move the links with the words. */
export function tLinked(key: Key, hrefs: readonly string[], params?: Params): (Node | string)[] {
  return t(key, params)
    .split(/\[([^\]]+)\]/)
    .map((part, i) => {
      if (i % 2 === 0) return part;
      const link = document.createElement("a");
      link.href = hrefs[(i - 1) / 2] ?? "/";
      link.textContent = part;
      return link;
    });
}

/** Stars with a name screen readers read ("4 out of 5 stars"); value is shown as given. */
export function ratingStars(rating: number, stars: string, value: string = String(rating)): HTMLElement {
  const span = document.createElement("span");
  span.className = "stars";
  span.setAttribute("role", "img");
  span.setAttribute("aria-label", t("common.stars", { rating: value }));
  span.textContent = stars;
  return span;
}

/** The score sentences' messages for format.scoreSentence (namespace "score", loaded by the router). */
export function sayScore(name: "none" | "tooFew" | "outOf5", params: Params): string {
  return t(`score.${name}`, params);
}

/** A label as it reads inside a sentence ("Advertising" → "advertising"), except in German,
 * whose nouns keep their capital. */
export function inSentence(label: string): string {
  return lang === "de" ? label : label.toLocaleLowerCase(lang);
}
