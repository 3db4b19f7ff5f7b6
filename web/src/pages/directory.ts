// Home: search the directory of dentists.
import { api, DirectoryPage } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { score, shortAddress } from "../format";

const PAGE = 20;

function entry(item: DirectoryPage["items"][number]): HTMLElement {
  return h(
    "li",
    { class: "card" },
    h("h2", { style: "margin:0 0 4px" }, h("a", { href: `/dentists/${item.address}` }, item.name)),
    h("div", { class: "row" },
      h("span", { class: "score", style: "font-size:1.6rem" }, score(item.bayesianScore)),
      h("span", { class: "muted" }, `${item.count} review${item.count === 1 ? "" : "s"}`),
      item.verified ? h("span", { class: "badge ok" }, "✓ verified reviews") : h("span", { class: "badge warn" }, "no reviews yet"),
      item.active ? null : h("span", { class: "badge bad" }, "deactivated"),
    ),
    h("div", { class: "mono muted" }, shortAddress(item.address)),
  );
}

export async function render(main: HTMLElement): Promise<void> {
  setTitle("Find a dentist");
  const params = new URLSearchParams(window.location.search);
  const q = params.get("q") ?? "";
  const offset = Math.max(0, Number(params.get("offset") ?? 0) || 0);
  const results = h("section", { "aria-live": "polite", "aria-label": "Results" });
  replace(
    main,
    h("h1", {}, "Find a dentist with verified reviews"),
    h("p", { class: "muted" },
      "Each review comes from a visit the practice signed and is signed by the patient's own wallet. ",
      "Scores are Bayesian: a few reviews count for less than many."),
    h("form", { class: "search", role: "search", action: "/", method: "get" },
      h("div", {},
        h("label", { for: "q" }, "Search by practice name or wallet address"),
        h("input", { id: "q", name: "q", type: "search", value: q, autocomplete: "off" })),
      h("button", { type: "submit" }, "Search")),
    results,
  );
  let page: DirectoryPage;
  try {
    page = await api.directory(q, offset, PAGE);
  } catch (error) {
    replace(results, h("p", { class: "error", role: "alert" }, explain(error)));
    return;
  }
  if (page.items.length === 0) {
    replace(results, h("p", {}, q ? `No dentist matches “${q}”.` : "No dentist is registered yet."));
    return;
  }
  const link = (to: number, text: string) =>
    h("a", { href: `/?${new URLSearchParams({ q, offset: String(to) })}` }, text);
  replace(
    results,
    h("p", { class: "muted" }, `${page.total} dentist${page.total === 1 ? "" : "s"}${q ? ` matching “${q}”` : ""}`),
    h("ul", { class: "grid", style: "list-style:none;padding:0" }, page.items.map(entry)),
    h("nav", { class: "row", "aria-label": "Pages" },
      offset > 0 ? link(Math.max(0, offset - PAGE), "← Previous") : null,
      offset + PAGE < page.total ? link(offset + PAGE, "Next →") : null),
  );
}
