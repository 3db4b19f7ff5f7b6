// Verified NPS on the practice's dashboard: "would you recommend us?" answered 0–10 by
// patients of attested visits, counted month by month. Totals only; the service hides a
// month with too few answers, and so does the chart.
import { send } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";

export interface NpsMonth {
  month: string;
  hidden: boolean;
  count: number | null;
  promoters: number | null;
  passives: number | null;
  detractors: number | null;
  nps: number | null;
}

export interface Nps {
  generatedAt: number;
  minCount: number;
  months: NpsMonth[];
  total: NpsMonth;
}

const SVG = "http://www.w3.org/2000/svg";
const COLORS = { promoters: "#0b5c6b", passives: "#a7b1bb", detractors: "#d08c00" } as const;
const GROUPS: [keyof typeof COLORS, string][] = [
  ["promoters", "Promoters (9–10)"],
  ["passives", "Passives (7–8)"],
  ["detractors", "Detractors (0–6)"],
];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** NPS as people write it: a whole number with its sign. */
export function signed(value: number | null): string {
  if (value === null) return "–";
  const rounded = Math.round(value);
  return rounded > 0 ? `+${rounded}` : String(rounded);
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  el.append(...children);
  return el;
}

function monthName(month: string): string {
  return MONTHS[Number(month.slice(5, 7)) - 1] ?? month;
}

function describe(m: NpsMonth, minCount: number): string {
  if (m.hidden) return `${m.month}: fewer than ${minCount} answers, not shown`;
  return `${m.month}: NPS ${signed(m.nps)}; ${m.promoters} promoters, ${m.passives} passives, ${m.detractors} detractors of ${m.count} answers`;
}

/** Twelve 100% stacked bars (detractors at the bottom, promoters on top) with each month's
 * NPS above its bar; hidden months drawn as an empty dashed outline. */
export function npsChart(d: Nps, summary: string): SVGSVGElement {
  const width = 480, height = 260, left = 52, right = 8, top = 30, bottom = 44;  // room for the phone font
  const plot = height - top - bottom;
  const column = (width - left - right) / d.months.length;
  const bar = Math.min(24, column * 0.66);
  const title = svg("title", { id: "nps-chart-title" }, "Verified NPS by month");
  const desc = svg("desc", { id: "nps-chart-desc" }, summary);
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, class: "nps-chart", id: "nps-chart", role: "img",
    "aria-labelledby": "nps-chart-title nps-chart-desc", "font-size": 11, "font-family": "inherit",
  }, title, desc);
  for (const share of [0, 50, 100]) {
    const y = top + plot - (plot * share) / 100;
    chart.append(
      svg("line", { x1: left, x2: width - right, y1: y, y2: y, stroke: "#d5dce3" }),
      svg("text", { x: left - 4, y: y + 4, "text-anchor": "end", fill: "#55606b" }, `${share}%`));
  }
  d.months.forEach((m, i) => {
    const x = left + i * column + (column - bar) / 2;
    const center = x + bar / 2;
    const group = svg("g", { "data-nps-month": m.month }, svg("title", {}, describe(m, d.minCount)));
    if (m.hidden || !m.count) {
      group.append(
        svg("rect", { x, y: top, width: bar, height: plot, fill: "none", stroke: "#a7b1bb", "stroke-dasharray": "3 3" }),
        svg("text", { x: center, y: top - 8, "text-anchor": "middle", fill: "#55606b" }, "–"));
    } else {
      let y = top + plot;
      for (const key of ["detractors", "passives", "promoters"] as const) {
        const size = (plot * (m[key] ?? 0)) / m.count;
        y -= size;
        if (size > 0) group.append(svg("rect", { x, y, width: bar, height: size, fill: COLORS[key] }));
      }
      group.append(svg("text", { x: center, y: top - 8, "text-anchor": "middle", "font-weight": 700, fill: "#1c2630" }, signed(m.nps)));
    }
    group.append(svg("text", { x: center, y: height - bottom + 18, "text-anchor": "middle", fill: "#1c2630" }, monthName(m.month)));
    if (i === 0 || m.month.endsWith("-01")) {
      group.append(svg("text", { x: center, y: height - bottom + 38, "text-anchor": "middle", fill: "#55606b" }, m.month.slice(0, 4)));
    }
    chart.append(group);
  });
  return chart;
}

/** The whole in plain words, for the page and the chart's text alternative. */
export function npsSummary(d: Nps): string {
  const t = d.total;
  if (t.hidden || !t.count) {
    return `Not enough answers yet: a month's NPS appears once at least ${d.minCount} patients answered in it.`;
  }
  const some = (n: number | null, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `Over the months shown, your NPS is ${signed(t.nps)}. Of the ${t.count} patients who answered, ${some(t.promoters, "promoter")} (9–10) would recommend you, ${some(t.passives, "passive")} (7–8) and ${some(t.detractors, "detractor")} (0–6).`;
}

function npsTable(d: Nps): HTMLElement {
  const cell = (m: NpsMonth, v: number | null) => (m.hidden ? "–" : String(v ?? 0));
  return h("details", {},
    h("summary", {}, "The months as a table"),
    h("div", { class: "table-scroll" },
      h("table", { class: "plain", id: "nps-table" },
        h("thead", {}, h("tr", {}, ["Month", "Answers", "Promoters", "Passives", "Detractors", "NPS"].map((t) => h("th", {}, t)))),
        h("tbody", {}, d.months.map((m) => h("tr", {},
          h("td", {}, m.month),
          h("td", {}, m.hidden ? `fewer than ${d.minCount}` : String(m.count)),
          h("td", {}, cell(m, m.promoters)), h("td", {}, cell(m, m.passives)), h("td", {}, cell(m, m.detractors)),
          h("td", {}, m.hidden ? "–" : (m.nps ?? 0).toFixed(1))))))));
}

/** The dashboard's NPS card: filled once the figures arrive. */
export function npsCard(): HTMLElement {
  const body = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  const card = h("section", { class: "card", id: "nps-card", "aria-labelledby": "nps-h" },
    h("h2", { id: "nps-h", style: "margin-top:0" }, "Would patients recommend you? (verified NPS)"), body);
  void send<Nps>("/v1/practice/nps").then((d) => {
    const summary = npsSummary(d);
    replace(body,
      h("p", { id: "nps-summary" }, summary),
      npsChart(d, summary),
      h("ul", { class: "nps-legend muted" }, GROUPS.map(([key, label]) =>
        h("li", {}, h("i", { style: `background:${COLORS[key]}` }), label))),
      h("p", { class: "muted" },
        "NPS is the share of promoters minus the share of detractors, from −100 to +100. ",
        "Only patients of visits you attested answer, each once and signed with their own wallet, with a review that is anchored; ",
        `shown only as totals, and a month with fewer than ${d.minCount} answers is not shown, so that no answer points at a patient.`),
      npsTable(d));
  }, (error: unknown) => replace(body, h("div", { class: "notice bad", role: "alert" }, explain(error))));
  return card;
}
