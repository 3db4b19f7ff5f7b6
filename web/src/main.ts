// The router: each page is its own module, loaded only where it is needed.
import "./style.css";
import { h, mainEl, replace } from "./dom";
import { lang, t, tLinked, useMessages, type Key } from "./i18n";
import { isLang, LANG_STORAGE_KEY } from "./i18n/lang";

type Page = (main: HTMLElement, match: RegExpMatchArray) => Promise<void>;

const ROUTES: [RegExp, () => Promise<{ render: Page }>][] = [
  [/^\/$/, () => import("./pages/directory")],
  [/^\/dentists\/(0x[0-9a-fA-F]{40})\/?$/, () => import("./pages/profile")],
  [/^\/invite\/(0x[0-9a-fA-F]{64})\/?$/, () => import("./pages/invite")],
  [/^\/verify\/anonymous\/(0x[0-9a-fA-F]{32})\/?$/, () => import("./pages/verifyanonymous")],
  [/^\/verify(?:\/(\d+))?\/?$/, () => import("./pages/verify")],
  [/^\/me\/?$/, () => import("./pages/me")],
  [/^\/checkin\/([A-Za-z0-9]{4,16})\/?$/, () => import("./pages/checkin")],
  [/^\/practice\/?$/, () => import("./pages/practice")],
  [/^\/practice\/visits\/?$/, () => import("./pages/visits")],
  [/^\/operator\/?$/, () => import("./pages/operator")],
  [/^\/practice\/reviews\/?$/, () => import("./pages/replies")],
  [/^\/how-reviews-work\/?$/, () => import("./pages/howitworks")],
];

/** The shell (index.html) in the reader's language, and the language switcher. */
function translateShell(): void {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n]")) el.textContent = t(el.dataset.i18n as Key);
  document.querySelector("header.site nav")?.setAttribute("aria-label", t("common.navMain"));
  const footer = document.querySelector("footer.site .wrap");
  if (footer) replace(footer as HTMLElement, tLinked("common.footer", ["/verify", "/how-reviews-work"]));
  // The switcher is in the shell, so that it takes its place before any script runs.
  const select = document.querySelector<HTMLSelectElement>("#site-language");
  if (!select) return;
  select.value = lang;
  select.addEventListener("change", () => {
    if (!isLang(select.value)) return;
    try {
      window.localStorage.setItem(LANG_STORAGE_KEY, select.value);
    } catch {
      // storage blocked: the choice holds for this address only
    }
    const url = new URL(window.location.href);
    url.searchParams.set("lang", select.value);
    window.location.assign(url.toString());
  });
}

async function start(): Promise<void> {
  await useMessages("common", "errors", "score");
  translateShell();
  const main = mainEl();
  const path = window.location.pathname;
  for (const [pattern, load] of ROUTES) {
    const match = path.match(pattern);
    if (match) {
      const page = await load();
      await page.render(main, match);
      main.setAttribute("data-ready", "true");
      return;
    }
  }
  replace(main, h("h1", {}, t("common.notFound")), h("p", {}, h("a", { href: "/" }, t("common.navFind"))));
  main.setAttribute("data-ready", "true");
}

for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
  const here = link.getAttribute("href") ?? "";
  const path = window.location.pathname;
  if (here === path || (here !== "/" && path.startsWith(here))) link.setAttribute("aria-current", "page");
}

start().catch((error: unknown) => {
  console.error(error);
  replace(
    mainEl(),
    h("h1", {}, failed("common.failed", "Something went wrong")),
    h("p", { class: "error", role: "alert" }, failed("common.failedHelp", "The page could not be shown. Reload it to try again.")),
  );
});

/** A message for the failure page, which must show even when the messages failed to load. */
function failed(key: Key, english: string): string {
  try {
    return t(key);
  } catch {
    return english;
  }
}
