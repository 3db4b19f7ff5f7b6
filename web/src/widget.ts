// The embeddable widget. A practice pastes:
//   <script src="https://ORIGIN/widget.js" data-dentist="0x…" async></script>
// It shows the score and the latest reviews; each links to its verification page on
// our origin, so a visitor can tell a genuine widget from a copy, and it carries the
// disclosure line (the same reward for every rating) linking to "How reviews work here".
import { score as scoreText, scoreSentence, shownScore, stars } from "./format";

interface Rep { name: string; count: number; bayesianScore: number | null }
interface Item { id: number; rating: number; text: string; anchoredAt: number | null; submittedAt: number; blockNumber: number | null }

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
  const host = el("div", { class: "dentareview-widget", "data-dentist": dentist });
  script.after(host);
  const root = host.attachShadow({ mode: "open" });
  root.append(el("style", {}, STYLE));
  const box = el("div", { class: "box", role: "region", "aria-label": "Verified reviews from DentaReview" }, "Loading reviews…");
  root.append(box);
  if (!/^0x[0-9a-fA-F]{40}$/.test(dentist)) {
    box.replaceChildren("DentaReview widget: data-dentist must be the practice's wallet address (0x…).");
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
      const when = new Date((item.anchoredAt ?? item.submittedAt) * 1000).toLocaleDateString("en-GB", { year: "numeric", month: "short", day: "numeric" });
      const text = item.text.length > 160 ? `${item.text.slice(0, 157)}…` : item.text;
      list.append(el("li", { "data-review-id": String(item.id) },
        el("div", {}, el("span", { class: "stars", role: "img", "aria-label": `${item.rating} out of 5 stars` }, stars(item.rating)), " ", el("span", { class: "muted" }, when)),
        el("p", {}, text),
        el("a", { class: "check", href: `${origin}/verify/${item.id}`, target: "_blank", rel: "noopener" }, "✓ Verified visit · check it")));
    }
    box.replaceChildren(
      el("div", { class: "top" },
        shown === null ? "" : el("span", { class: "score" }, scoreText(shown)),
        shown === null ? "" : el("span", { class: "stars", role: "img", "aria-label": `${scoreText(shown)} out of 5 stars` }, stars(shown)),
        el("span", { class: "muted" }, shown === null
          ? `${rep.name}: ${scoreSentence(rep.count)}`
          : `${rep.count} verified review${rep.count === 1 ? "" : "s"} of ${rep.name}`)),
      list,
      el("p", { class: "disclosure" }, "Every reviewer gets the same reward, whatever their rating. ",
        el("a", { href: `${origin}/how-reviews-work`, target: "_blank", rel: "noopener" }, "How reviews work")),
      el("div", { class: "brand muted" }, "Verified reviews by ", el("a", { href: `${origin}/dentists/${dentist}`, target: "_blank", rel: "noopener" }, "DentaReview")),
    );
  } catch {
    box.replaceChildren("Reviews cannot be shown right now.");
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
