// The languages of the patient-facing pages, and the pure parts of translating: picking a
// language, choosing a plural form, filling placeholders. No catalog is loaded here, so
// the widget (one classic script, no code splitting) can use it too.

/** Each language by its BCP 47 tag, named in itself (what a switcher shows). */
export const LANGUAGES = {
  en: "English",
  de: "Deutsch",
  es: "Español",
  pl: "Polski",
  "zh-Hans": "简体中文",
} as const;

export type Lang = keyof typeof LANGUAGES;

/** A message: plain text, or one text per plural category (Intl.PluralRules). */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Message = string | Plural;
export type Params = Record<string, string | number>;

export const LANG_STORAGE_KEY = "dentareview.lang";

export function isLang(tag: string): tag is Lang {
  return Object.prototype.hasOwnProperty.call(LANGUAGES, tag);
}

/** The first supported language among the reader's preferred ones; English otherwise.
 * Chinese is offered in simplified script only: zh-TW or zh-Hant falls through. */
export function pickLanguage(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    let locale: Intl.Locale;
    try {
      locale = new Intl.Locale(tag).maximize();
    } catch {
      continue; // not a language tag
    }
    if (locale.language === "zh") {
      if (locale.script === "Hans") return "zh-Hans";
      continue;
    }
    if (isLang(locale.language)) return locale.language;
  }
  return "en";
}

/** The page's language: ?lang= first (a shared link), then the reader's choice, then the browser. */
export function currentLang(): Lang {
  const asked = new URLSearchParams(window.location.search).get("lang");
  if (asked && isLang(asked)) return asked;
  let saved: string | null = null;
  try {
    saved = window.localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    saved = null; // storage blocked: fall back to the browser's languages
  }
  if (saved && isLang(saved)) return saved;
  return pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

/** The text of a message for these parameters: the plural form for {count}, placeholders filled
 * (numbers formatted for the language). */
export function render(lang: Lang, message: Message, params: Params = {}): string {
  let text: string;
  if (typeof message === "string") {
    text = message;
  } else {
    const count = Number(params.count ?? 0);
    text = message[new Intl.PluralRules(lang).select(count)] ?? message.other;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? new Intl.NumberFormat(lang).format(value) : value;
  });
}

/** A language's name in another language ("Polish" in English, "polaco" in Spanish). */
export function languageName(tag: string, inLang: Lang): string {
  try {
    return new Intl.DisplayNames([inLang], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag; // not a language tag Intl knows
  }
}
