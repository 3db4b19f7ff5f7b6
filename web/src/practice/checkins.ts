// Check-in for passkey patients: the practice's check-in link and QR code (patients open
// it on their phone and make a passkey there), and the last day's check-ins, each with the
// short code the patient shows at reception. "Use" puts the patient's account in the
// visit form, so the attested Visit names the account the patient's own device made.
import { send } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { shortAddress } from "../format";
import { qrSvg } from "./qr";

export interface Checkin {
  code: string;
  account: string;
  checkedInAt: number;
}

export interface Checkins {
  code: string;
  checkins: Checkin[];
}

export const checkinsApi = {
  list: () => send<Checkins>("/v1/practice/checkins"),
};

export function checkinUrl(code: string): string {
  return `${window.location.origin}/checkin/${code}`;
}

function time(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** The check-in card; `use(account)` is called when reception picks a patient. */
export function checkinsCard(use: (account: string) => void): HTMLElement {
  const body = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, "Loading check-ins…"));
  const card = h("section", { class: "card", id: "checkins", "aria-labelledby": "checkins-h" },
    h("h2", { id: "checkins-h", style: "margin-top:0" }, "Check-in for patients without a wallet"),
    body);
  const load = async () => {
    let found: Checkins;
    try {
      found = await checkinsApi.list();
    } catch (error) {
      replace(body, h("div", { class: "notice bad", role: "alert" }, explain(error)));
      return;
    }
    const link = checkinUrl(found.code);
    const copy = h("button", { type: "button", class: "secondary" }, "Copy link");
    const copied = h("span", { "aria-live": "polite" });
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(link);
        copied.textContent = " Copied.";
      } catch {
        copied.textContent = " Select the link and copy it.";
      }
    });
    const refresh = h("button", { type: "button", class: "secondary" }, "Refresh");
    refresh.addEventListener("click", () => void load());
    const rows = found.checkins.map((c) =>
      h("tr", {},
        h("td", { class: "big-code", "data-code": c.code }, c.code),
        h("td", {}, time(c.checkedInAt)),
        h("td", { class: "mono", title: c.account }, shortAddress(c.account)),
        h("td", {}, h("button", { type: "button", class: "secondary", onclick: () => use(c.account) }, "Use"))));
    replace(body,
      h("p", { class: "muted" },
        "A patient with no crypto wallet scans this code at reception (or opens the link) and makes a passkey on their phone. ",
        "Their phone then shows a short code: pick it below to attest the visit for them."),
      h("div", { class: "row" },
        h("div", { style: "max-width:160px;flex:0 0 160px" }, qrSvg(link, "QR code of the practice's check-in link")),
        h("div", { style: "flex:1 1 200px" },
          h("p", {}, h("a", { href: link, id: "checkin-link", class: "mono" }, link)),
          h("p", {}, copy, copied, " ", refresh))),
      found.checkins.length
        ? h("div", { class: "table-scroll" }, h("table", { class: "plain", id: "checkin-list" },
            h("thead", {}, h("tr", {}, h("th", {}, "Code"), h("th", {}, "Time"), h("th", {}, "Account"), h("th", {}, ""))),
            h("tbody", {}, rows)))
        : h("p", { class: "muted", id: "no-checkins" }, "No check-ins in the last 24 hours."));
  };
  void load();
  return card;
}
