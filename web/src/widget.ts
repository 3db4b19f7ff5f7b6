// The embeddable widget. A practice pastes:
//   <script src="https://ORIGIN/widget.js" data-dentist="0x…" async></script>
// It shows the score and the latest reviews; each links to its verification page on
// our origin, so a visitor can tell a genuine widget from a copy, and it carries the
// disclosure line (the same reward for every rating) linking to "How reviews work here".
// Its messages are few, so every language is built in: the widget is one classic script.
import { date, score as scoreText, scoreSentence, shownScore, stars } from "./format";
import { isLang, languageName, pickLanguage, render, type Lang, type Message, type Params } from "./i18n/lang";
import scoreEn from "./i18n/locales/en/score.json";
import scoreDe from "./i18n/locales/de/score.json";
import scoreEs from "./i18n/locales/es/score.json";
import scorePl from "./i18n/locales/pl/score.json";
import scoreZh from "./i18n/locales/zh-Hans/score.json";
import widgetEn from "./i18n/locales/en/widget.json";
import widgetDe from "./i18n/locales/de/widget.json";
import widgetEs from "./i18n/locales/es/widget.json";
import widgetPl from "./i18n/locales/pl/widget.json";
import widgetZh from "./i18n/locales/zh-Hans/widget.json";

type Messages = Record<string, Message>;
const MESSAGES: Record<Lang, { score: Messages; widget: Messages }> = {
  en: { score: scoreEn, widget: widgetEn },
  de: { score: scoreDe, widget: widgetDe },
  es: { score: scoreEs, widget: widgetEs },
  pl: { score: scorePl, widget: widgetPl },
  "zh-Hans": { score: scoreZh, widget: widgetZh },
};

/** The widget's language: data-lang, else the host page's language, else the browser's. */
function widgetLang(script: HTMLScriptElement): Lang {
  const asked = script.dataset.lang ?? "";
  if (isLang(asked)) return asked;
  const page = document.documentElement.lang;
  return pickLanguage([...(page ? [page] : []), ...(navigator.languages ?? [navigator.language])]);
}

function say(lang: Lang, part: "score" | "widget", name: string, params?: Params): string {
  return render(lang, MESSAGES[lang][part][name] ?? MESSAGES.en[part][name] ?? name, params);
}

interface Rep { name: string; count: number; bayesianScore: number | null }
interface Item { id: number; rating: number; text: string; language?: string | null; anchoredAt: number | null; submittedAt: number; blockNumber: number | null }

const STYLE = `
:host{all:initial;display:block;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b2430;max-width:420px}
.box{border:1px solid #d5dce3;border-radius:10px;padding:12px 14px;background:#fff}
.top{display:flex;align-items:baseline;gap:10px;flex-wrap:wrap}
.score{font-size:28px;font-weight:700}
.stars{color:#a05a00;letter-spacing:1px}
.muted{color:#4f5b69;font-size:13px}
ul{list-style:none;padding:0;margin:8px 0 0}
li{border-top:1px solid #e3e8ed;padding:8px 0}
p{margin:4px 0;font-size:14px;line-height:1.4}
a{color:#0b5c6b}
.check{font-size:13px}
.brand{font-size:12px;margin-top:6px}
.disclosure{font-size:12px;margin-top:6px;color:#4f5b69}`;

function el(tag: string, attrs: Record<string, string>, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

async function mount(script: HTMLScriptElement): Promise<void> {
  const dentist = script.dataset.dentist ?? "";
  const origin = new URL(script.src, window.location.href).origin;
  const limit = Math.min(10, Math.max(1, Number(script.dataset.limit ?? 3) || 3));
  const lang = widgetLang(script);
  const w = (name: string, params?: Params): string => say(lang, "widget", name, params);
  const host = el("div", { class: "dentareview-widget", "data-dentist": dentist, lang });
  script.after(host);
  const root = host.attachShadow({ mode: "open" });
  root.append(el("style", {}, STYLE));
  const box = el("div", { class: "box", role: "region", "aria-label": w("region") }, w("loading"));
  root.append(box);
  if (!/^0x[0-9a-fA-F]{40}$/.test(dentist)) {
    box.replaceChildren(w("badAddress"));
    return;
  }
  try {
    const [rep, page] = await Promise.all([
      fetch(`${origin}/v1/dentists/${dentist}/reputation`).then((r) => (r.ok ? r.json() : Promise.reject(r.status))) as Promise<Rep>,
      fetch(`${origin}/v1/dentists/${dentist}/reviews?limit=${limit}`).then((r) => (r.ok ? r.json() : Promise.reject(r.status))) as Promise<{ items: Item[] }>,
    ]);
    const shown = shownScore(rep.count, rep.bayesianScore);
    const list = el("ul", {});
    for (const item of page.items) {
      const when = date(item.anchoredAt ?? item.submittedAt, lang);
      const text = item.text.length > 160 ? `${item.text.slice(0, 157)}…` : item.text;
      list.append(el("li", { "data-review-id": String(item.id) },
        el("div", {}, el("span", { class: "stars", role: "img", "aria-label": w("stars", { rating: item.rating }) }, stars(item.rating)), " ", el("span", { class: "muted" }, when)),
        el("p", item.language ? { lang: item.language } : {}, text),
        item.language && item.language !== lang ? el("p", { class: "muted" }, w("writtenIn", { language: languageName(item.language, lang) })) : "",
        el("a", { class: "check", href: `${origin}/verify/${item.id}`, target: "_blank", rel: "noopener" }, w("check"))));
    }
    box.replaceChildren(
      el("div", { class: "top" },
        shown === null ? "" : el("span", { class: "score" }, scoreText(shown, lang)),
        shown === null ? "" : el("span", { class: "stars", role: "img", "aria-label": w("stars", { rating: scoreText(shown, lang) }) }, stars(shown)),
        el("span", { class: "muted" }, shown === null
          ? `${rep.name}: ${scoreSentence(rep.count, (name, params) => say(lang, "score", name, params))}`
          : w("count", { count: rep.count, name: rep.name }))),
      list,
      el("p", { class: "disclosure" }, `${say(lang, "score", "disclosure")} `,
        el("a", { href: `${origin}/how-reviews-work?lang=${lang}`, target: "_blank", rel: "noopener" }, say(lang, "score", "howLink"))),
      el("div", { class: "brand muted" }, `${w("byLead")} `, el("a", { href: `${origin}/dentists/${dentist}`, target: "_blank", rel: "noopener" }, "DentaReview")),
    );
  } catch {
    box.replaceChildren(w("unavailable"));
  }
}

const current = document.currentScript as HTMLScriptElement | null;
const scripts = current?.dataset.dentist
  ? [current]
  : [...document.querySelectorAll<HTMLScriptElement>("script[data-dentist][src$='widget.js']")];
for (const script of scripts) {
  if (!script.dataset.mounted) {
    script.dataset.mounted = "true";
    void mount(script);
  }
}
export {};
