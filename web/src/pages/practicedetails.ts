// A practice's details as anyone reads them (its public profile), and the words the
// pages use for its languages and country. Text and links only: no map, nothing loaded
// from another site.
import { api, type PracticeDetails } from "../api";
import { h } from "../dom";
import { lang, languageName, t } from "../i18n";

/** The look of the text inputs (style.css), for selects and other inputs too. */
export const FIELD_STYLE =
  "font:inherit;width:100%;box-sizing:border-box;padding:10px 12px;border:1px solid #8a96a3;border-radius:8px;background:#fff;color:inherit;min-height:44px";

const regionNames = new Intl.DisplayNames([lang], { type: "region" });

/** "DE" → "Germany". */
export function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

export function languageList(tags: string[]): string {
  return tags.map(languageName).join(", ");
}

/** What a tel: link dials: the digits and a leading +. */
function dialable(phone: string): string {
  return phone.replace(/[^\d+]/g, "");
}

/** The website as it reads, without the scheme and a trailing slash. */
function siteText(url: string): string {
  return url.replace(/^https:\/\//i, "").replace(/\/$/, "");
}

function row(label: string, ...value: (Node | string)[]): HTMLElement[] {
  return [h("dt", { style: "font-weight:600;margin-top:8px" }, label), h("dd", { style: "margin:2px 0 0" }, ...value)];
}

export function newPatientsBadge(accepting: boolean | null): HTMLElement | null {
  if (accepting === null) return null;
  return accepting
    ? h("span", { class: "badge ok", "data-new-patients": "yes" }, t("profile.accepting"))
    : h("span", { class: "badge warn", "data-new-patients": "no" }, t("profile.notAccepting"));
}

/** The practice's details as a card: address, phone (a tel: link), website, opening
 * hours, languages by name and whether it takes new patients. Empty fields are left
 * out; with nothing set, the card says so. */
export function detailsCard(details: PracticeDetails): HTMLElement {
  const address = [
    details.street,
    [details.postalCode, details.city].filter(Boolean).join(" "),
    details.country ? countryName(details.country) : null,
  ].filter((line): line is string => Boolean(line));
  const items: HTMLElement[] = [];
  if (address.length) {
    items.push(...row(t("profile.address"), h("address", { style: "font-style:normal" }, ...address.flatMap((line, i) => (i ? [h("br"), line] : [line])))));
  }
  if (details.phone) {
    items.push(...row(t("profile.phone"), h("a", { href: `tel:${dialable(details.phone)}`, "data-detail": "phone" }, details.phone)));
  }
  if (details.website) {
    items.push(...row(t("profile.website"), h("a", { href: details.website, rel: "noopener nofollow ugc", target: "_blank", "data-detail": "website" }, siteText(details.website))));
  }
  if (details.hours) {
    items.push(...row(t("profile.hours"), h("span", { style: "white-space:pre-line", "data-detail": "hours" }, details.hours)));
  }
  if (details.languages.length) {
    items.push(...row(t("profile.languages"), h("span", { "data-detail": "languages" }, languageList(details.languages))));
  }
  if (details.latitude !== null && details.longitude !== null) {
    // A geo: link opens the visitor's own maps app; nothing is loaded from here.
    const at = `${details.latitude},${details.longitude}`;
    items.push(...row(t("profile.onMap"), h("a", { href: `geo:${at}` }, t("profile.openMaps")), h("span", { class: "muted" }, ` (${at})`)));
  }
  const badge = newPatientsBadge(details.acceptingNewPatients);
  return h("section", { class: "card", id: "practice-details", "aria-labelledby": "practice-details-h" },
    h("div", { class: "row", style: "justify-content:space-between" },
      h("h2", { id: "practice-details-h", style: "margin:0" }, t("profile.detailsHeading")),
      badge),
    items.length
      ? h("dl", { style: "margin:4px 0 0" }, items)
      : h("p", { class: "muted" }, t("profile.noDetails")),
    items.length ? h("p", { class: "muted", style: "margin-bottom:0;font-size:.9rem" }, t("profile.givenByPractice")) : null);
}

/** The practice's details for its profile, fetched beside the rest of the page so that
 * the card is in place when the page first shows (nothing moves when it arrives): null
 * when the practice has set none or they cannot be read (the profile stands without). */
export async function profileDetails(address: string): Promise<HTMLElement | null> {
  try {
    const details = await api.details(address);
    return details.updatedAt === null ? null : detailsCard(details);
  } catch {
    return null;
  }
}
