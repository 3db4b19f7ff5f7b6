// Anomaly signals per practice: the share of reviews from new wallets, bursts against the
// practice's norm, a shift of its rating distribution (the service computes them).
import { DirectoryEntry } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { notice } from "../signin";
import { operatorApi, Signal } from "./api";

const NAMES: Record<Signal["name"], string> = {
  new_wallets: "New wallets",
  burst: "Busiest hour",
  rating_shift: "Rating shift",
};

function shown(signal: Signal): string {
  if (signal.name === "new_wallets") return `${Math.round(signal.value * 100)}% (alert at ${Math.round(signal.threshold * 100)}%)`;
  if (signal.name === "burst") return `${signal.value} reviews (alert at ${signal.threshold})`;
  return `${signal.value.toFixed(2)} (alert at ${signal.threshold})`;
}

function cell(signal: Signal | undefined): HTMLElement {
  if (!signal) return h("td", {}, "–");
  return h("td", { "data-signal": signal.name, "data-raised": String(signal.raised), "data-label": NAMES[signal.name], title: signal.detail },
    h("span", { class: "cell-label", "aria-hidden": "true" }, NAMES[signal.name]),
    signal.raised ? h("span", { class: "badge bad" }, "raised")
      // Past the threshold but not raised: too few reviews for the rule to judge.
      : signal.value >= signal.threshold ? h("span", { class: "badge warn" }, "too few reviews to judge")
      : h("span", { class: "badge ok" }, "normal"),
    " ", shown(signal),
    h("div", { class: "muted small" }, signal.detail));
}

function markButton(dentist: DirectoryEntry, signals: Signal[], onMarked: () => Promise<void>): HTMLElement | null {
  const concerned = new Set(signals.filter((s) => s.raised).flatMap((s) => s.reviewIds));
  if (concerned.size === 0) return null;
  const status = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "button", class: "secondary" }, `Mark its ${concerned.size} review(s) under review`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const done = await operatorApi.mark(dentist.address);
      replace(status, notice("ok", `${done.marked.length} review(s) of ${dentist.name} marked \u201cunder review\u201d (still online and counted); they are listed under Flagged reviews for a decision.`));
      await onMarked();
    } catch (error) {
      button.disabled = false;
      replace(status, notice("bad", explain(error)));
    }
  });
  return h("div", {}, button, status);
}

export async function signalSection(dentists: DirectoryEntry[], onMarked: () => Promise<void>): Promise<HTMLElement> {
  const section = h("section", { id: "signals", "aria-labelledby": "signals-h" },
    h("h2", { id: "signals-h" }, "Anomaly signals"),
    h("p", { class: "muted" },
      "Per practice, over the last 30 days: the share of reviews from wallets with no earlier visit or review, the busiest hour against the practice's norm, and how far the star distribution moved from the earlier one. A raised signal is a reason to look, not a verdict."));
  const reviewed = dentists.filter((d) => d.count > 0);
  if (reviewed.length === 0) {
    section.append(h("p", { class: "notice info" }, "No practice has anchored reviews yet, so there is nothing to measure."));
    return section;
  }
  const rows = await Promise.all(reviewed.map(async (d) => {
    try {
      const found = await operatorApi.signals(d.address);
      const by = new Map(found.signals.map((s) => [s.name, s]));
      return h("tr", { "data-dentist": d.address },
        h("th", { scope: "row" }, h("a", { href: `/dentists/${d.address}` }, d.name), h("div", { class: "muted small" }, `${d.count} review(s)`),
          markButton(d, found.signals, onMarked)),
        cell(by.get("new_wallets")), cell(by.get("burst")), cell(by.get("rating_shift")));
    } catch (error) {
      return h("tr", {}, h("th", { scope: "row" }, d.name), h("td", { colspan: 3 }, notice("bad", explain(error))));
    }
  }));
  section.append(h("div", { class: "table-scroll" },
    h("table", { class: "plain signals" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Practice"), ...Object.values(NAMES).map((n) => h("th", { scope: "col" }, n)))),
      h("tbody", {}, rows))));
  return section;
}
