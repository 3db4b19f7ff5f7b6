// Home: search the directory of dentists by name, city or postal code, with filters
// and an order; a GET form, so every search is a link.
import { api, ApiError, DirectoryPage, DirectorySearch, DirectorySort, directoryQuery } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { lang, languageName, sayScore, t, tLinked, useMessages } from "../i18n";
import { score, scoreSentence, shownScore } from "../format";
import { countryName, FIELD_STYLE, languageList, newPatientsBadge } from "./practicedetails";

const PAGE = 20;
const RATINGS = ["", "3", "3.5", "4", "4.5"];
const SORTS: DirectorySort[] = ["score", "reviews", "name"];

function ratingChoices(): [string, string][] {
  return RATINGS.map((value) => [value, value ? t("directory.orMore", { value: score(Number(value)) }) : t("directory.anyRating")]);
}

function sortChoices(): [DirectorySort, string][] {
  return [["score", t("directory.sortScore")], ["reviews", t("directory.sortReviews")], ["name", t("directory.sortName")]];
}

function entry(item: DirectoryPage["items"][number]): HTMLElement {
  const place = [item.city, item.country ? countryName(item.country) : null].filter(Boolean).join(", ");
  return h(
    "li",
    { class: "card", "data-dentist": item.address },
    h("h2", { style: "margin:0 0 4px" }, h("a", { href: `/dentists/${item.address}` }, item.name)),
    place ? h("div", { "data-city": item.city ?? "" }, place) : null,
    h("div", { class: "row" },
      shownScore(item.count, item.bayesianScore) === null
        ? h("span", { class: "muted" }, scoreSentence(item.count, sayScore))
        : [h("span", { class: "score", style: "font-size:1.6rem" }, score(item.bayesianScore)),
           h("span", { class: "muted" }, t("directory.reviews", { count: item.count }))],
      item.verified ? h("span", { class: "badge ok" }, t("directory.verified")) : null,
      item.active ? null : h("span", { class: "badge bad" }, t("directory.deactivated")),
      newPatientsBadge(item.acceptingNewPatients),
    ),
    item.languages.length
      ? h("div", { class: "muted", "data-languages": item.languages.join(" ") }, t("directory.speaks", { languages: languageList(item.languages) }))
      : null,
  );
}

/** The search as the address bar has it; an unknown value is dropped, not sent. */
function readSearch(params: URLSearchParams): DirectorySearch {
  const rating = params.get("minRating") ?? "";
  const sort = params.get("sort") ?? "score";
  const accepting = params.get("acceptingNewPatients");
  return {
    q: params.get("q") ?? "",
    minRating: RATINGS.includes(rating) ? rating : "",
    language: /^[a-z]{2,3}$/.test(params.get("language") ?? "") ? (params.get("language") ?? "") : "",
    acceptingNewPatients: accepting === "true" ? true : accepting === "false" ? false : null,
    sort: SORTS.find((value) => value === sort) ?? "score",
  };
}

function select(id: string, label: string, options: [string, string][], chosen: string): HTMLElement {
  return h("div", { style: "flex:1 1 150px" },
    h("label", { for: id }, label),
    h("select", { id, name: id, style: FIELD_STYLE },
      options.map(([value, text]) => h("option", { value, selected: value === chosen }, text))));
}

function searchForm(search: DirectorySearch): HTMLFormElement {
  const form = h("form", { role: "search", action: "/", method: "get", id: "directory-search" },
    h("div", { class: "search" },
      h("div", {},
        h("label", { for: "q" }, t("directory.searchLabel")),
        h("input", { id: "q", name: "q", type: "search", value: search.q, autocomplete: "off", maxlength: 200 })),
      h("button", { type: "submit" }, t("directory.search"))),
    h("div", { class: "row", style: "align-items:flex-end;gap:8px 12px;margin-top:8px" },
      select("minRating", t("directory.minRating"), ratingChoices(), search.minRating),
      select("language", t("directory.languageSpoken"), [["", t("directory.anyLanguage")], ...(search.language ? [[search.language, languageName(search.language)] as [string, string]] : [])], search.language),
      select("sort", t("directory.sortBy"), sortChoices(), search.sort),
      h("label", { style: "font-weight:400;display:flex;gap:8px;align-items:center;min-height:44px;margin:0;flex:1 1 220px" },
        h("input", { type: "checkbox", id: "acceptingNewPatients", name: "acceptingNewPatients", value: "true", checked: search.acceptingNewPatients === true, style: "width:20px;height:20px" }),
        t("directory.onlyAccepting"))));
  // Leave empty filters and the default order out of the link, so it stays short.
  form.addEventListener("submit", () => {
    for (const control of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input[name], select[name]")) {
      if (control.value === "" || (control.name === "sort" && control.value === "score")) control.disabled = true;
    }
    window.setTimeout(() => form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[disabled]").forEach((c) => { c.disabled = false; }), 0);
  });
  return form;
}

function fillLanguages(form: HTMLFormElement, choices: string[], chosen: string): void {
  const languages = form.querySelector<HTMLSelectElement>("#language");
  if (!languages) return;
  replace(languages,
    h("option", { value: "", selected: chosen === "" }, t("directory.anyLanguage")),
    [...choices].sort((a, b) => languageName(a).localeCompare(languageName(b), lang))
      .map((tag) => h("option", { value: tag, selected: tag === chosen }, languageName(tag))));
}

function filtered(search: DirectorySearch): boolean {
  return Boolean(search.minRating || search.language || search.acceptingNewPatients !== null);
}

export async function render(main: HTMLElement): Promise<void> {
  await useMessages("directory", "profile");
  setTitle(t("directory.title"));
  const params = new URLSearchParams(window.location.search);
  const search = readSearch(params);
  const q = search.q;
  const offset = Math.max(0, Number(params.get("offset") ?? 0) || 0);
  const results = h("section", { "aria-live": "polite", "aria-label": t("directory.results") });
  const form = searchForm(search);
  replace(
    main,
    h("h1", {}, t("directory.heading")),
    h("p", { class: "muted" }, tLinked("directory.intro", ["/how-reviews-work"])),
    form,
    results,
  );
  let page: DirectoryPage;
  try {
    page = await api.directory(search, offset, PAGE);
  } catch (error) {
    const sentence = error instanceof ApiError && error.code === "VALIDATION_ERROR"
      ? t("directory.unknownFilter")
      : explain(error);
    replace(results, h("p", { class: "error", role: "alert" }, sentence));
    return;
  }
  fillLanguages(form, page.languageChoices, search.language);
  if (page.items.length === 0) {
    const none = !q && !filtered(search)
      ? t("directory.noneYet")
      : !q
        ? t("directory.noMatchSearch")
        : t(filtered(search) ? "directory.noMatchFiltered" : "directory.noMatch", { q });
    replace(results, h("p", { id: "no-results" }, none));
    return;
  }
  const link = (to: number, text: string) =>
    h("a", { href: `/?${directoryQuery(search, to ? { offset: String(to) } : {})}` }, text);
  replace(
    results,
    h("p", { class: "muted", id: "result-count" }, t(
      q ? (filtered(search) ? "directory.countMatchingFiltered" : "directory.countMatching")
        : (filtered(search) ? "directory.countFiltered" : "directory.count"),
      { count: page.total, q })),
    h("ul", { class: "grid", style: "list-style:none;padding:0" }, page.items.map(entry)),
    h("nav", { class: "row", "aria-label": t("directory.pages") },
      offset > 0 ? link(Math.max(0, offset - PAGE), t("directory.previous")) : null,
      offset + PAGE < page.total ? link(offset + PAGE, t("directory.next")) : null),
  );
}
