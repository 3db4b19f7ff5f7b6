// A dentist's profile: score, sub-ratings, histogram, 12-month trend and reviews.
import { api, ChainFacts, Reputation, ReviewOut } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { sayScore } from "../i18n";
import { date, score, scoreSentence, shownScore, stars, tokenAmount } from "../format";
import { moderationNote, reportControl } from "./report";
import { replyBlock } from "../replyview";
import { detailsSlot } from "./practicedetails";

const PAGE = 50;

function bars(rep: Reputation): HTMLElement {
  const max = Math.max(1, ...Object.values(rep.histogram));
  const rows = [5, 4, 3, 2, 1].flatMap((n) => {
    const count = rep.histogram[String(n)] ?? 0;
    return [
      h("span", {}, `${n} ★`),
      h("span", { class: "meter", role: "img", "aria-label": `${count} reviews with ${n} stars` },
        h("i", { style: `width:${(100 * count) / max}%` })),
      h("span", { class: "muted" }, String(count)),
    ];
  });
  return h("div", { class: "bars" }, rows);
}

function subRatings(rep: Reputation): HTMLElement {
  const items: [string, number | null][] = [
    ["Treatment quality", rep.treatment],
    ["Bedside manner", rep.bedside],
    ["Waiting time", rep.waitTime],
  ];
  return h("div", { class: "bars" }, items.flatMap(([name, value]) => [
    h("span", {}, name),
    h("span", { class: "meter", role: "img", "aria-label": `${name}: ${score(value)} out of 5` },
      h("i", { style: `width:${value === null ? 0 : (100 * value) / 5}%` })),
    h("span", {}, score(value)),
  ]));
}

function trendTable(rep: Reputation): HTMLElement {
  return h("details", {},
    h("summary", {}, "The trend as a table"),
    h("table", { class: "plain" },
      h("thead", {}, h("tr", {}, h("th", {}, "Month"), h("th", {}, "Reviews"), h("th", {}, "Mean rating"))),
      h("tbody", {}, rep.trend.map((m) =>
        h("tr", {}, h("td", {}, m.month), h("td", {}, String(m.count)), h("td", {}, score(m.mean)))))));
}

type ChartModule = typeof import("chart.js");

async function drawTrend(canvas: HTMLCanvasElement, rep: Reputation, chartModule: Promise<ChartModule>): Promise<void> {
  const { Chart, BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend } =
    await chartModule;
  Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
  new Chart(canvas, {
    data: {
      labels: rep.trend.map((m) => m.month),
      datasets: [
        { type: "bar", label: "Reviews", data: rep.trend.map((m) => m.count), backgroundColor: "#8fc1cb", yAxisID: "count", order: 2 },
        { type: "line", label: "Mean rating", data: rep.trend.map((m) => m.mean), borderColor: "#0b5c6b", backgroundColor: "#0b5c6b", pointRadius: 5, spanGaps: true, yAxisID: "rating", order: 1, clip: false },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        count: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "reviews" } },
        rating: { type: "linear", position: "right", min: 1, max: 5, grid: { drawOnChartArea: false }, title: { display: true, text: "mean rating" } },
      },
    },
  });
}

/** A review's standing in plain words; the block and finality are on its verification page. */
export function badge(review: ReviewOut): HTMLElement {
  if (review.status === "anchored") {
    if (review.final === false) return h("span", { class: "badge warn" }, "✓ Verified visit · being recorded");
    return h("span", { class: "badge ok" }, "✓ Verified visit");
  }
  if (review.status === "failed") {
    return h("span", { class: "badge bad" }, `Not on the public record: ${review.failureReason ?? review.failureCode ?? "failed"}`);
  }
  return h("span", { class: "badge warn" }, "Verified visit · waiting to be recorded");
}

/** The disclosure every profile carries: the reward is the same for every rating. */
export function rewardDisclosure(chain: ChainFacts | null): HTMLElement {
  const reward = chain && chain.tokenDecimals !== null
    ? ` (${tokenAmount(chain.rewardAmount, chain.tokenDecimals)} ${chain.tokenSymbol ?? "tokens"})`
    : "";
  return h("p", { class: "disclosure", id: "disclosure" },
    `Every patient who reviews receives the same reward${reward}, whatever their rating. Each review comes from a visit the practice confirmed. `,
    h("a", { href: "/how-reviews-work" }, "How reviews work here"));
}

function reviewItem(review: ReviewOut): HTMLElement {
  if (review.state === "erased" || review.state === "removed") {
    const said = review.state === "erased" ? "Erased by its author." : `${review.stateLabel ?? "Removed by moderation"}.`;
    return h("article", { class: "review", "data-review-id": review.id },
      h("div", { class: "row" }, h("span", { class: "muted" }, date(review.anchoredAt ?? review.submittedAt)), badge(review)),
      h("p", { class: "muted" }, said.charAt(0).toUpperCase() + said.slice(1)));
  }
  return h("article", { class: "review", "data-review-id": review.id },
    h("div", { class: "row" },
      h("span", { class: "stars", role: "img", "aria-label": `${review.rating} out of 5 stars` }, stars(review.rating)),
      h("span", { class: "muted" }, date(review.anchoredAt ?? review.submittedAt)),
      badge(review),
      review.stateLabel
        ? h("span", { class: review.state === "under_review" ? "badge warn moderation" : "badge" }, review.stateLabel)
        : null),
    h("p", {}, review.text),
    h("div", { class: "row subratings" },
      h("span", {}, `Treatment ${review.treatment}/5`),
      h("span", {}, `Bedside manner ${review.bedside}/5`),
      h("span", {}, `Waiting time ${review.waitTime}/5`),
      review.status === "anchored" ? h("a", { href: `/verify/${review.id}` }, "Verify this review") : null),
    moderationNote(review),
    replyBlock(review),
    reportControl(review),
  );
}

export async function render(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  const address = match[1];
  const chartModule = import("chart.js"); // fetched while the API answers
  const chain = api.chain().catch(() => null); // for the reward in the disclosure
  let rep: Reputation;
  let reviews: ReviewOut[];
  let total: number;
  try {
    const [r, page] = await Promise.all([api.reputation(address), api.reviews(address, PAGE)]);
    rep = r;
    reviews = page.items;
    total = page.total;
  } catch (error) {
    setTitle("Dentist");
    replace(main, h("h1", {}, "Dentist"), h("p", { class: "error", role: "alert" }, explain(error)));
    return;
  }
  setTitle(rep.name, `${rep.name}: reviews from verified patients, each from a visit the practice confirmed and checkable by anyone.`);
  const shown = shownScore(rep.count, rep.bayesianScore);
  const anchored = reviews.filter((r) => r.status === "anchored");
  const pending = reviews.filter((r) => r.status !== "anchored");
  const more = h("button", { type: "button", class: "secondary" }, "Show older reviews");
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await api.reviews(address, PAGE, reviews.length);
      reviews.push(...page.items);
      const list = main.querySelector("#reviews");
      for (const review of page.items) {
        if (review.status === "anchored") list?.append(reviewItem(review));
      }
      if (reviews.length >= page.total || page.items.length === 0) more.remove();
    } catch (error) {
      more.replaceWith(h("p", { class: "error", role: "alert" }, explain(error)));
    } finally {
      more.disabled = false;
    }
  });
  const canvas = h("canvas", { role: "img", "aria-label": "Reviews per month and mean rating over the last 12 months" });
  replace(
    main,
    h("h1", {}, rep.name),
    rewardDisclosure(await chain),
    detailsSlot(address),
    h("div", { class: "grid" },
      h("section", { class: "card", "aria-labelledby": "score-h" },
        h("h2", { id: "score-h", style: "margin-top:0" }, "Score"),
        shown === null
          ? null
          : h("div", { class: "row" },
              h("span", { class: "score", "data-testid": "score" }, score(shown)),
              h("span", { class: "stars", role: "img", "aria-label": `${score(shown)} out of 5 stars` }, stars(shown))),
        h("p", { id: "score-sentence" }, scoreSentence(rep.count, sayScore)),
        shown === null
          ? null
          : h("p", { class: "muted" }, `The score is the patients' average rating (${score(rep.mean)}), drawn toward the middle while a practice has few reviews, so that one or two cannot decide it.`),
        rep.pendingCount ? h("p", { class: "muted" }, `${rep.pendingCount} more waiting to be recorded (not counted yet).`) : null,
        h("details", { class: "muted" },
          h("summary", {}, "Details for auditors"),
          h("p", {}, `Bayesian average: ${rep.prior.count} imagined reviews of ${rep.prior.mean} are added to the ${rep.count} verified ones.`),
          h("p", { class: "mono" }, `Practice wallet ${address}, registered on-chain; every review links to its proof.`))),
      h("section", { class: "card", "aria-labelledby": "sub-h" },
        h("h2", { id: "sub-h", style: "margin-top:0" }, "Ratings"), subRatings(rep),
        h("h2", {}, "Stars"), bars(rep))),
    h("section", { class: "card", "aria-labelledby": "trend-h" },
      h("h2", { id: "trend-h", style: "margin-top:0" }, "The last 12 months"),
      h("div", { class: "chart-box" }, canvas), trendTable(rep)),
    h("section", { "aria-labelledby": "reviews-h" },
      h("h2", { id: "reviews-h" }, `Reviews (${anchored.length})`),
      h("div", { class: "card", id: "reviews" },
        anchored.length ? anchored.map(reviewItem) : h("p", { class: "muted" }, "No verified review yet.")),
      total > reviews.length ? more : null),
    pending.length
      ? h("section", { "aria-labelledby": "pending-h" },
          h("h2", { id: "pending-h" }, `Waiting to be recorded (${pending.length})`),
          h("p", { class: "muted" }, "These reviews are signed and stored but not yet on the public record; they do not count in the score yet."),
          h("div", { class: "card", id: "pending" }, pending.map(reviewItem)))
      : null,
  );
  await drawTrend(canvas, rep, chartModule);
}
