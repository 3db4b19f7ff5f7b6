// A dentist's profile: score, sub-ratings, histogram, 12-month trend and reviews.
import { api, ChainFacts, type Decision, Reputation, ReviewOut } from "../api";
import { anonymousApi, itemsOf, type AnonymousReviewOut } from "../anonymous/api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { inSentence, lang, languageName, lookup, ratingStars, sayScore, t, tLinked, useMessages } from "../i18n";
import { date, score, scoreSentence, shownScore, stars, tokenAmount } from "../format";
import { moderationNote, reportControl } from "./report";
import { replyBlock } from "../replyview";
import { profileDetails } from "./practicedetails";

const PAGE = 50;

/** "2026-11" as the reader's language names the month. */
function monthName(month: string): string {
  const [year, m] = month.split("-").map(Number);
  if (!year || !m) return month;
  return new Intl.DateTimeFormat(lang, { month: "short", year: "numeric", timeZone: "UTC" }).format(Date.UTC(year, m - 1, 1));
}

/** A review's moderation or author state in the reader's language ("under review"). */
function stateLabel(review: { state?: string; stateLabel?: string | null; decisions?: Decision[] }): string | null {
  const decisions = review.decisions ?? [];
  const reason = decisions[decisions.length - 1]?.reason ?? "";
  if (review.state === "removed" && !reason) return review.stateLabel ?? null;
  const label = lookup("profile", `reason_${reason}`);
  return lookup("profile", `state_${review.state}`, { reason: label ? inSentence(label) : reason }) ?? review.stateLabel ?? null;
}

function bars(rep: Reputation): HTMLElement {
  const max = Math.max(1, ...Object.values(rep.histogram));
  const rows = [5, 4, 3, 2, 1].flatMap((n) => {
    const count = rep.histogram[String(n)] ?? 0;
    return [
      h("span", {}, t("profile.starsRow", { stars: n })),
      h("span", { class: "meter", role: "img", "aria-label": t("profile.starsMeter", { count, stars: n }) },
        h("i", { style: `width:${(100 * count) / max}%` })),
      h("span", { class: "muted" }, String(count)),
    ];
  });
  return h("div", { class: "bars" }, rows);
}

function subRatings(rep: Reputation): HTMLElement {
  const items: [string, number | null][] = [
    [t("profile.treatment"), rep.treatment],
    [t("profile.bedside"), rep.bedside],
    [t("profile.waitTime"), rep.waitTime],
  ];
  return h("div", { class: "bars" }, items.flatMap(([name, value]) => [
    h("span", {}, name),
    h("span", { class: "meter", role: "img", "aria-label": t("profile.subMeter", { name, value: score(value) }) },
      h("i", { style: `width:${value === null ? 0 : (100 * value) / 5}%` })),
    h("span", {}, score(value)),
  ]));
}

function trendTable(rep: Reputation): HTMLElement {
  return h("details", {},
    h("summary", {}, t("profile.trendTable")),
    h("table", { class: "plain" },
      h("thead", {}, h("tr", {}, h("th", {}, t("profile.month")), h("th", {}, t("profile.reviewsColumn")), h("th", {}, t("profile.meanColumn")))),
      h("tbody", {}, rep.trend.map((m) =>
        h("tr", {}, h("td", {}, monthName(m.month)), h("td", {}, String(m.count)), h("td", {}, score(m.mean)))))));
}

type ChartModule = typeof import("chart.js");

/** Draws the trend once its place comes near the screen: Chart.js (its code and its
 * drawing) costs a phone nothing until the reader scrolls to it. */
function drawTrendWhenNear(canvas: HTMLCanvasElement, rep: Reputation): void {
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    drawTrend(canvas, rep, import("chart.js")).catch((error: unknown) => console.error(error));
  }, { rootMargin: "200px" });
  observer.observe(canvas);
}

async function drawTrend(canvas: HTMLCanvasElement, rep: Reputation, chartModule: Promise<ChartModule>): Promise<void> {
  const { Chart, BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend } =
    await chartModule;
  Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
  new Chart(canvas, {
    data: {
      labels: rep.trend.map((m) => monthName(m.month)),
      datasets: [
        { type: "bar", label: t("profile.reviewsColumn"), data: rep.trend.map((m) => m.count), backgroundColor: "#8fc1cb", yAxisID: "count", order: 2 },
        { type: "line", label: t("profile.meanColumn"), data: rep.trend.map((m) => m.mean), borderColor: "#0b5c6b", backgroundColor: "#0b5c6b", pointRadius: 5, spanGaps: true, yAxisID: "rating", order: 1, clip: false },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        count: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t("profile.chartReviews") } },
        rating: { type: "linear", position: "right", min: 1, max: 5, grid: { drawOnChartArea: false }, title: { display: true, text: t("profile.chartMean") } },
      },
    },
  });
}

/** A review's standing in plain words; the block and finality are on its verification page. */
export function badge(review: ReviewOut): HTMLElement {
  if (review.status === "anchored") {
    if (review.final === false) return h("span", { class: "badge warn" }, t("common.beingRecorded"));
    return h("span", { class: "badge ok" }, t("common.verifiedVisit"));
  }
  if (review.status === "failed") {
    return h("span", { class: "badge bad" }, t("profile.notRecorded", { reason: review.failureReason ?? review.failureCode ?? t("profile.notRecordedFailed") }));
  }
  return h("span", { class: "badge warn" }, t("profile.waiting"));
}

/** The disclosure every profile carries: the reward is the same for every rating. */
export function rewardDisclosure(chain: ChainFacts | null): HTMLElement {
  const words = chain && chain.tokenDecimals !== null
    ? tLinked("profile.disclosureAmount", ["/how-reviews-work"], {
        amount: tokenAmount(chain.rewardAmount, chain.tokenDecimals),
        symbol: chain.tokenSymbol ?? t("profile.tokens"),
      })
    : tLinked("profile.disclosure", ["/how-reviews-work"]);
  return h("p", { class: "disclosure", id: "disclosure" }, words);
}

function reviewItem(review: ReviewOut): HTMLElement {
  if (review.state === "erased" || review.state === "removed") {
    const said = review.state === "erased" ? t("profile.erased") : `${stateLabel(review) ?? t("profile.removed")}.`;
    return h("article", { class: "review", "data-review-id": review.id },
      h("div", { class: "row" }, h("span", { class: "muted" }, date(review.anchoredAt ?? review.submittedAt)), badge(review)),
      h("p", { class: "muted" }, said.charAt(0).toUpperCase() + said.slice(1)));
  }
  return h("article", { class: "review", "data-review-id": review.id },
    h("div", { class: "row" },
      ratingStars(review.rating, stars(review.rating)),
      h("span", { class: "muted" }, date(review.anchoredAt ?? review.submittedAt)),
      badge(review),
      review.stateLabel
        ? h("span", { class: review.state === "under_review" ? "badge warn moderation" : "badge" }, stateLabel(review))
        : null),
    h("p", review.language ? { lang: review.language } : {}, review.text),
    review.language ? h("p", { class: "muted written-in" }, t("common.writtenIn", { language: languageName(review.language) })) : null,
    h("div", { class: "row subratings" },
      h("span", {}, t("profile.subTreatment", { value: review.treatment })),
      h("span", {}, t("profile.subBedside", { value: review.bedside })),
      h("span", {}, t("profile.subWait", { value: review.waitTime })),
      review.status === "anchored" ? h("a", { href: `/verify/${review.id}` }, t("profile.verifyLink")) : null),
    moderationNote(review),
    replyBlock(review),
    reportControl(review),
  );
}

/** An anonymous review: one of the practice's patients, proven without saying which.
 * Reported and moderated as a named review: the same control, states and public record. */
function anonymousItem(review: AnonymousReviewOut): HTMLElement {
  const when = review.anchoredAt ? h("span", { class: "muted" }, date(review.anchoredAt)) : null;
  const anonymousBadge = h("span", { class: "badge ok anonymous" }, t("anonymous.badge"));
  if (review.state === "removed" || review.rating === null) {
    const said = `${stateLabel(review) ?? t("profile.removed")}.`;
    return h("article", { class: "review", "data-anonymous-id": review.id },
      h("div", { class: "row" }, when, anonymousBadge),
      h("p", { class: "muted" }, said.charAt(0).toUpperCase() + said.slice(1)));
  }
  return h("article", { class: "review", "data-anonymous-id": review.id },
    h("div", { class: "row" },
      ratingStars(review.rating, stars(review.rating)),
      when,
      anonymousBadge,
      review.state === "under_review" ? h("span", { class: "badge warn moderation" }, stateLabel(review)) : null),
    h("p", review.language ? { lang: review.language } : {}, review.text),
    review.language ? h("p", { class: "muted written-in" }, t("common.writtenIn", { language: languageName(review.language) })) : null,
    h("div", { class: "row subratings" },
      h("span", {}, t("profile.subTreatment", { value: review.treatment ?? "" })),
      h("span", {}, t("profile.subBedside", { value: review.bedside ?? "" })),
      h("span", {}, t("profile.subWait", { value: review.waitTime ?? "" })),
      h("a", { href: `/verify/anonymous/${review.id}` }, t("anonymous.verifyLink"))),
    moderationNote(review),
    reportControl(review),
  );
}

export async function render(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  const address = match[1];
  await useMessages("profile", "reply", "anonymous");
  // Anonymous reviews come apart, from their own route; a service without them shows none.
  const anonymous = anonymousApi.list(address).then(itemsOf, () => [] as AnonymousReviewOut[]);
  const chain = api.chain().catch(() => null); // for the reward in the disclosure
  const details = profileDetails(address);
  let rep: Reputation;
  let reviews: ReviewOut[];
  let total: number;
  try {
    const [r, page] = await Promise.all([api.reputation(address), api.reviews(address, PAGE)]);
    rep = r;
    reviews = page.items;
    total = page.total;
  } catch (error) {
    setTitle(t("profile.dentist"));
    replace(main, h("h1", {}, t("profile.dentist")), h("p", { class: "error", role: "alert" }, explain(error)));
    return;
  }
  setTitle(rep.name, t("profile.description", { name: rep.name }));
  const shown = shownScore(rep.count, rep.bayesianScore);
  const anchored = reviews.filter((r) => r.status === "anchored");
  const pending = reviews.filter((r) => r.status !== "anchored");
  const more = h("button", { type: "button", class: "secondary" }, t("profile.older"));
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
  const canvas = h("canvas", { role: "img", "aria-label": t("profile.chartLabel") });
  const anonymousItems = await anonymous;
  replace(
    main,
    h("h1", {}, rep.name),
    rewardDisclosure(await chain),
    await details,
    h("div", { class: "grid" },
      h("section", { class: "card", "aria-labelledby": "score-h" },
        h("h2", { id: "score-h", style: "margin-top:0" }, t("profile.score")),
        shown === null
          ? null
          : h("div", { class: "row" },
              h("span", { class: "score", "data-testid": "score" }, score(shown)),
              ratingStars(shown, stars(shown), score(shown))),
        h("p", { id: "score-sentence" }, scoreSentence(rep.count, sayScore)),
        shown === null
          ? null
          : h("p", { class: "muted" }, t("profile.scoreExplained", { mean: score(rep.mean) })),
        rep.pendingCount ? h("p", { class: "muted" }, t("profile.pendingMore", { count: rep.pendingCount })) : null,
        h("details", { class: "muted" },
          h("summary", {}, t("profile.auditors")),
          h("p", {}, t("profile.bayes", { prior: rep.prior.count, priorMean: rep.prior.mean, count: rep.count })),
          h("p", { class: "mono" }, t("profile.wallet", { address })))),
      h("section", { class: "card", "aria-labelledby": "sub-h" },
        h("h2", { id: "sub-h", style: "margin-top:0" }, t("profile.ratings")), subRatings(rep),
        h("h2", {}, t("profile.stars")), bars(rep))),
    h("section", { class: "card", "aria-labelledby": "trend-h" },
      h("h2", { id: "trend-h", style: "margin-top:0" }, t("profile.trend")),
      h("div", { class: "chart-box" }, canvas), trendTable(rep)),
    // With only anonymous reviews, "no verified review yet" would read false: it is left out.
    anchored.length || !anonymousItems.some((r) => r.status === "anchored")
      ? h("section", { "aria-labelledby": "reviews-h" },
          h("h2", { id: "reviews-h" }, t("profile.reviewsHeading", { count: anchored.length })),
          h("div", { class: "card", id: "reviews" },
            anchored.length ? anchored.map(reviewItem) : h("p", { class: "muted" }, t("profile.noReview"))),
          total > reviews.length ? more : null)
      : null,
    anonymousSection(anonymousItems),
    pending.length
      ? h("section", { "aria-labelledby": "pending-h" },
          h("h2", { id: "pending-h" }, t("profile.pendingHeading", { count: pending.length })),
          h("p", { class: "muted" }, t("profile.pendingHelp")),
          h("div", { class: "card", id: "pending" }, pending.map(reviewItem)))
      : null,
  );
  drawTrendWhenNear(canvas, rep);
}

function anonymousSection(items: AnonymousReviewOut[]): HTMLElement | null {
  const anchored = items.filter((r) => r.status === "anchored");
  if (!anchored.length) return null;
  return h("section", { "aria-labelledby": "anonymous-h" },
    h("h2", { id: "anonymous-h" }, t("anonymous.heading", { count: anchored.length })),
    h("p", { class: "muted" }, t("anonymous.help")),
    h("div", { class: "card", id: "anonymous-reviews" }, anchored.map(anonymousItem)));
}
