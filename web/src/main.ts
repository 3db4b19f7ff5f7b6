// The router: each page is its own module, loaded only where it is needed.
import "./style.css";
import { h, mainEl, replace } from "./dom";

type Page = (main: HTMLElement, match: RegExpMatchArray) => Promise<void>;

const ROUTES: [RegExp, () => Promise<{ render: Page }>][] = [
  [/^\/$/, () => import("./pages/directory")],
  [/^\/dentists\/(0x[0-9a-fA-F]{40})\/?$/, () => import("./pages/profile")],
  [/^\/invite\/(0x[0-9a-fA-F]{64})\/?$/, () => import("./pages/invite")],
  [/^\/verify(?:\/(\d+))?\/?$/, () => import("./pages/verify")],
  [/^\/me\/?$/, () => import("./pages/me")],
  [/^\/checkin\/([A-Za-z0-9]{4,16})\/?$/, () => import("./pages/checkin")],
  [/^\/practice\/?$/, () => import("./pages/practice")],
  [/^\/practice\/visits\/?$/, () => import("./pages/visits")],
  [/^\/operator\/?$/, () => import("./pages/operator")],
  [/^\/practice\/reviews\/?$/, () => import("./pages/replies")],
  [/^\/how-reviews-work\/?$/, () => import("./pages/howitworks")],
];

async function start(): Promise<void> {
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
  replace(main, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/" }, "Find a dentist")));
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
    h("h1", {}, "Something went wrong"),
    h("p", { class: "error", role: "alert" }, "The page could not be shown. Reload it to try again."),
  );
});
