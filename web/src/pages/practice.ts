// The signed-in dentist's dashboard: score over time, sub-ratings, histogram, the
// invitation funnel and verified retention; charts with a table beside each, and CSV.
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { score } from "../format";
import { Dashboard, practiceApi } from "../practice/api";
import { detailsFormCard } from "../practice/details";
import { npsCard } from "../practice/nps";
import { newsCard } from "../practice/news";
import { practiceBar, requirePractice } from "../practice/session";
import { useMessages } from "../i18n";

type ChartModule = typeof import("chart.js");

function notice(kind: "bad" | "info", text: string): HTMLElement {
  return h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, text);
}

const n = (value: number): string => value.toLocaleString("en-GB");

function percent(value: number | null): string {
  return value === null ? "–" : `${Math.round(value * 1000) / 10}%`;
}

export function duration(seconds: number | null): string {
  if (seconds === null) return "–";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} days`;
}

function figure(id: string, label: string, value: string, note?: string): HTMLElement {
  return h("div", { class: "figure", "data-figure": id },
    h("div", { class: "figure-label" }, label),
    h("div", { class: "figure-value" }, value),
    note ? h("div", { class: "muted figure-note" }, note) : null);
}

function funnelBars(d: Dashboard): HTMLElement {
  const f = d.funnel;
  const count = n;
  const steps: [string, string, number][] = [
    ["visits", "Visits attested", f.visits],
    ["reviews", "Reviews written", f.reviews],
    ["anchored", "Anchored on-chain", f.anchored],
    ["rewarded", "Rewarded", f.rewarded],
  ];
  const max = Math.max(1, f.visits);
  return h("div", { class: "bars funnel" }, steps.flatMap(([key, name, value]) => [
    h("span", {}, name),
    h("span", { class: "meter", role: "img", "aria-label": `${name}: ${count(value)}` }, h("i", { style: `width:${(100 * value) / max}%` })),
    h("span", { "data-funnel": key, class: "num" }, count(value)),
  ]));
}

function monthTable(d: Dashboard): HTMLElement {
  return h("details", {},
    h("summary", {}, "The months as a table"),
    h("div", { class: "table-scroll" },
      h("table", { class: "plain", id: "months-table" },
        h("thead", {}, h("tr", {}, ["Month", "Reviews", "Mean", "Treatment", "Bedside", "Waiting", "Score"].map((t) => h("th", {}, t)))),
        h("tbody", {}, d.months.map((m) => h("tr", {},
          h("td", {}, m.month), h("td", {}, n(m.count)), h("td", {}, score(m.mean)),
          h("td", {}, score(m.treatment)), h("td", {}, score(m.bedside)), h("td", {}, score(m.waitTime)),
          h("td", {}, m.bayesianScore === null ? "–" : m.bayesianScore.toFixed(2))))))));
}

export async function render(main: HTMLElement): Promise<void> {
  await useMessages("signin"); // the sign-in and wallet messages (signin.ts, wallet.ts)
  setTitle("Practice dashboard");
  const practice = await requirePractice(main, "Practice dashboard", () => window.location.reload());
  if (!practice) return;
  const chartModule = import("chart.js");
  let d: Dashboard;
  try {
    d = await practiceApi.dashboard();
  } catch (error) {
    replace(main, practiceBar(practice, "dashboard"), notice("bad", explain(error)));
    return;
  }
  const s = d.score, f = d.funnel, r = d.retention;
  const scoreCanvas = h("canvas", { id: "score-chart", "aria-label": "Score and reviews per month" });
  const subCanvas = h("canvas", { id: "sub-chart", "aria-label": "Sub-ratings per month" });
  const histCanvas = h("canvas", { id: "histogram-chart", "aria-label": "Reviews by star rating" });
  replace(main,
    practiceBar(practice, "dashboard"),
    h("div", { class: "row", style: "justify-content:space-between" },
      h("h1", {}, "Practice dashboard"),
      h("a", { href: "/v1/practice/dashboard.csv", download: "dentareview-dashboard.csv", class: "button secondary", id: "csv" }, "Download CSV")),
    s.count === 0 && f.visits === 0
      ? notice("info", "No visits yet. Attest your first visit under \u201cVisits and invitations\u201d; your figures appear here as patients review.")
      : null,
    h("section", { class: "figures", "aria-label": "Key figures" },
      figure("score", "Score (Bayesian)", score(s.bayesianScore), `${n(s.count)} anchored review${s.count === 1 ? "" : "s"}${s.pendingCount ? `, ${n(s.pendingCount)} pending` : ""}`),
      figure("mean", "Mean rating", score(s.mean)),
      figure("review-rate", "Visits reviewed", percent(f.reviewRate), `${n(f.reviews)} of ${n(f.visits)} visit${f.visits === 1 ? "" : "s"}`),
      figure("median-time", "Median time to review", duration(f.medianSecondsToReview)),
      figure("retention", "Verified retention", percent(r.share), `${n(r.repeatPatients)} of ${n(r.patients)} patients came back within 12 months`),
      figure("reply-rate", "Reviews replied to", percent(d.replies.rate), `${n(d.replies.replied)} of ${n(d.replies.reviews)} reviews`),
      figure("reply-time", "Median time to reply", duration(d.replies.medianSecondsToReply))),
    h("section", { class: "card", id: "replies-card" },
      h("h2", { style: "margin-top:0" }, "Replies"),
      h("p", {}, d.replies.reviews === 0
        ? "No review to answer yet."
        : `You replied to ${n(d.replies.replied)} of your ${n(d.replies.reviews)} reviews (${percent(d.replies.rate)}); the median time from a review to your reply is ${duration(d.replies.medianSecondsToReply)}.`),
      h("p", { class: "muted" }, "An answer to every patient keeps patients: many leave when their words go unanswered. "),
      h("a", { href: "/practice/reviews", class: "button", id: "to-replies" }, "Read and reply to reviews")),
    h("section", { class: "card" },
      h("h2", { style: "margin-top:0" }, "Score over time"),
      h("p", { class: "muted" }, "Bars: reviews anchored each month. Line: the Bayesian score over every review up to the month's end, as your public profile showed it."),
      h("div", { class: "chart-box" }, scoreCanvas),
      monthTable(d)),
    npsCard(),
    newsCard(),
    detailsFormCard(),
    h("div", { class: "grid" },
      h("section", { class: "card" },
        h("h2", { style: "margin-top:0" }, "Sub-ratings by month"),
        h("div", { class: "chart-box" }, subCanvas)),
      h("section", { class: "card" },
        h("h2", { style: "margin-top:0" }, "Star ratings"),
        h("div", { class: "chart-box" }, histCanvas),
        h("p", { class: "muted", id: "histogram-text" },
          [5, 4, 3, 2, 1].map((k) => `${k}★ ${n(s.histogram[String(k)] ?? 0)}`).join(" · ")))),
    h("section", { class: "card" },
      h("h2", { style: "margin-top:0" }, "Invitation funnel"),
      funnelBars(d),
      h("p", { class: "muted" }, `Median time from the visit to the review: ${duration(f.medianSecondsToReview)}.`)),
    h("section", { class: "card" },
      h("h2", { style: "margin-top:0" }, "Verified retention"),
      h("p", {}, h("strong", { class: "score", "data-retention": r.share ?? "" }, percent(r.share)), " ",
        `of your ${n(r.patients)} patients had another visit you attested within ${r.windowDays} days.`),
      h("p", { class: "muted" },
        "Computed only from the visits your wallet signed, so nobody can inflate it; shown only as a total, never per patient.")));
  await drawCharts(d, scoreCanvas, subCanvas, histCanvas, chartModule);
}

async function drawCharts(d: Dashboard, scoreCanvas: HTMLCanvasElement, subCanvas: HTMLCanvasElement, histCanvas: HTMLCanvasElement, chartModule: Promise<ChartModule>): Promise<void> {
  const { Chart, BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend } = await chartModule;
  Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
  const labels = d.months.map((m) => m.month);
  const rating = { type: "linear" as const, min: 1, max: 5, title: { display: true, text: "stars" } };
  new Chart(scoreCanvas, {
    data: {
      labels,
      datasets: [
        // Lines over the bars (a lower order is drawn later), and whole points at the edges.
        { type: "bar", label: "Reviews", data: d.months.map((m) => m.count), backgroundColor: "#8fc1cb", yAxisID: "count", order: 3 },
        { type: "line", label: "Score", data: d.months.map((m) => m.bayesianScore), borderColor: "#0b5c6b", backgroundColor: "#0b5c6b", pointRadius: 3, spanGaps: true, yAxisID: "rating", order: 1, clip: false },
        { type: "line", label: "Month's mean", data: d.months.map((m) => m.mean), borderColor: "#d08c00", backgroundColor: "#d08c00", borderDash: [4, 4], pointRadius: 3, spanGaps: true, yAxisID: "rating", order: 2, clip: false },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        count: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "reviews" } },
        rating: { ...rating, position: "right", grid: { drawOnChartArea: false } },
      },
    },
  });
  const line = (label: string, color: string, values: (number | null)[]) =>
    ({ type: "line" as const, label, data: values, borderColor: color, backgroundColor: color, pointRadius: 3, spanGaps: true, clip: false as const });
  new Chart(subCanvas, {
    type: "line",
    data: {
      labels,
      datasets: [
        line("Treatment", "#0b5c6b", d.months.map((m) => m.treatment)),
        line("Bedside manner", "#7a4fb5", d.months.map((m) => m.bedside)),
        line("Waiting time", "#d08c00", d.months.map((m) => m.waitTime)),
      ],
    },
    options: { maintainAspectRatio: false, animation: false, scales: { y: rating } },
  });
  new Chart(histCanvas, {
    type: "bar",
    data: {
      labels: ["1★", "2★", "3★", "4★", "5★"],
      datasets: [{ label: "Reviews", data: [1, 2, 3, 4, 5].map((n) => d.score.histogram[String(n)] ?? 0), backgroundColor: "#0b5c6b" }],
    },
    options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}
