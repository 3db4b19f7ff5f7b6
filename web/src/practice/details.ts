// The practice's details, as patients find them in the directory and on its profile:
// address, phone, website, opening hours, languages, new patients, and (optionally)
// where it is on a map. A form in plain words; each refusal is shown by its field.
import { ApiError, PracticeDetails, send } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { countryName, FIELD_STYLE } from "../pages/practicedetails";
import { languageName } from "../i18n";

type DetailsInput = Omit<PracticeDetails, "dentist" | "name" | "updatedAt" | "languageChoices">;

const detailsApi = {
  get: () => send<PracticeDetails>("/v1/practice/details"),
  save: (body: DetailsInput) =>
    send<PracticeDetails>("/v1/practice/details", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
};

// What to say next to a field the service refused with VALIDATION_ERROR.
const FIELD_HELP: Record<string, string> = {
  street: "The street may have at most 200 characters, on one line.",
  city: "The city may have at most 100 characters, on one line.",
  postalCode: "A postal code has letters, digits, spaces or hyphens only (at most 16).",
  country: "Give the country as its two-letter code, such as DE, GB or US.",
  phone: "The phone number may have at most 40 characters.",
  website: "The website may have at most 300 characters.",
  hours: "The opening hours may have at most 300 characters.",
  languages: "Choose languages from the list.",
  latitude: "The latitude is a number from -90 to 90.",
  longitude: "The longitude is a number from -180 to 180.",
};

const when = (unixSeconds: number): string =>
  new Date(unixSeconds * 1000).toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });

function field(id: string, label: string, input: HTMLElement, help?: string): HTMLElement {
  const helpId = `${id}-help`;
  const control = input.matches("input, textarea, select") ? input : input.querySelector("input, textarea, select");
  if (help) control?.setAttribute("aria-describedby", helpId);
  return h("div", { class: "details-field", style: "margin:0 0 12px" },
    h("label", { for: id }, label),
    input,
    help ? h("div", { id: helpId, class: "muted", style: "font-size:.9rem;margin-top:4px" }, help) : null,
    h("div", { class: "field-error", id: `${id}-error`, role: "alert", style: "color:var(--bad);font-size:.9rem;margin-top:4px" }));
}

function text(id: string, value: string | null, attrs: Record<string, string | number> = {}): HTMLInputElement {
  return h("input", { id, name: id, type: "text", value: value ?? "", style: FIELD_STYLE, ...attrs });
}

/** A number as typed: "" is none, anything else must read as a finite number. */
function coordinate(raw: string): number | null | "bad" {
  const value = raw.trim().replace(",", ".");
  if (!value) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : "bad";
}

function form(saved: PracticeDetails, onSaved: (details: PracticeDetails) => void): HTMLFormElement {
  const street = text("details-street", saved.street, { maxlength: 200, autocomplete: "street-address" });
  const postal = text("details-postal", saved.postalCode, { maxlength: 16, autocomplete: "postal-code" });
  const city = text("details-city", saved.city, { maxlength: 100, autocomplete: "address-level2" });
  const country = text("details-country", saved.country, { maxlength: 2, autocomplete: "country", style: `${FIELD_STYLE};max-width:6rem;text-transform:uppercase` });
  const countryShown = h("span", { class: "muted", id: "details-country-name", "aria-live": "polite" });
  const showCountry = (): void => {
    const code = country.value.trim().toUpperCase();
    countryShown.textContent = code.length === 2 ? countryName(code) : "";
  };
  country.addEventListener("input", showCountry);
  showCountry();
  const phone = h("input", { id: "details-phone", name: "details-phone", type: "tel", value: saved.phone ?? "", maxlength: 40, autocomplete: "tel", style: FIELD_STYLE });
  const website = h("input", { id: "details-website", name: "details-website", type: "url", inputmode: "url", value: saved.website ?? "", maxlength: 300, placeholder: "https://www.example.com", style: FIELD_STYLE });
  const hours = h("textarea", { id: "details-hours", name: "details-hours", maxlength: 300, rows: 3, style: "min-height:5rem" }, saved.hours ?? "");
  const languages = saved.languageChoices.map((tag) =>
    h("label", { style: "font-weight:400;display:flex;gap:8px;align-items:center;min-height:44px;margin:0" },
      h("input", { type: "checkbox", name: "language", value: tag, checked: saved.languages.includes(tag), style: "width:20px;height:20px" }),
      languageName(tag)));
  const choice = (value: string, label: string): HTMLElement => {
    const current = saved.acceptingNewPatients === null ? "" : String(saved.acceptingNewPatients);
    return h("label", { style: "font-weight:400;display:flex;gap:8px;align-items:center;min-height:44px;margin:0" },
      h("input", { type: "radio", name: "details-new-patients", value, checked: current === value, style: "width:20px;height:20px" }),
      label);
  };
  const latitude = text("details-latitude", saved.latitude === null ? "" : String(saved.latitude), { inputmode: "decimal", maxlength: 20 });
  const longitude = text("details-longitude", saved.longitude === null ? "" : String(saved.longitude), { inputmode: "decimal", maxlength: 20 });
  const result = h("div", { "aria-live": "polite", id: "details-result" });

  const el = h("form", { id: "details-form", novalidate: true },
    field("details-street", "Street and number", street),
    h("div", { class: "grid", style: "grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:0 12px" },
      field("details-postal", "Postal code", postal),
      field("details-city", "City or town", city, "Patients can search the directory by city and by postal code.")),
    field("details-country", "Country", h("div", { class: "row", style: "gap:8px" }, country, countryShown), "Two letters: DE for Germany, GB for the United Kingdom, US for the United States."),
    field("details-phone", "Phone", phone, "The practice's number, with the country code (+44 20 7946 0958) or as dialled in your country."),
    field("details-website", "Website", website, "The full address, starting with https://."),
    field("details-hours", "Opening hours", hours, "A few words or lines, for example: Mon–Fri 8:00–18:00, Sat 9:00–13:00."),
    h("fieldset", { id: "details-languages", style: "border:1px solid var(--line);border-radius:10px;margin:0 0 12px;padding:8px 12px" },
      h("legend", { style: "font-weight:600;padding:0 4px" }, "Languages spoken"),
      h("div", { class: "grid", style: "grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:0 12px" }, languages),
      h("div", { class: "field-error", id: "details-languages-error", role: "alert", style: "color:var(--bad);font-size:.9rem" })),
    h("fieldset", { id: "details-new-patients", style: "border:1px solid var(--line);border-radius:10px;margin:0 0 12px;padding:8px 12px" },
      h("legend", { style: "font-weight:600;padding:0 4px" }, "Accepting new patients?"),
      h("div", { class: "row", style: "gap:0 16px" }, choice("true", "Yes"), choice("false", "No"), choice("", "Rather not say"))),
    h("details", { open: saved.latitude !== null, style: "margin:0 0 12px" },
      h("summary", {}, "Location on a map (optional)"),
      h("p", { class: "muted", style: "font-size:.9rem" },
        "Latitude and longitude in decimal degrees, both or neither (in most maps apps: press on the practice and copy the numbers). Patients get a link that opens their own maps app."),
      h("div", { class: "grid", style: "grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:0 12px" },
        field("details-latitude", "Latitude", latitude, "For example 51.5072"),
        field("details-longitude", "Longitude", longitude, "For example -0.1276"))),
    h("div", { class: "row" }, h("button", { type: "submit", id: "details-save" }, "Save details")),
    result);

  const ids: Record<string, string> = {
    street: "details-street", postalCode: "details-postal", city: "details-city", country: "details-country",
    phone: "details-phone", website: "details-website", hours: "details-hours", languages: "details-languages",
    latitude: "details-latitude", longitude: "details-longitude",
  };
  const clearErrors = (): void => {
    el.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
    el.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  };
  const showError = (name: string, sentence: string): void => {
    const id = ids[name];
    const where = id ? el.querySelector<HTMLElement>(`#${id}-error`) : null;
    const input = id ? el.querySelector<HTMLElement>(`#${id}`) : null;
    if (where) where.textContent = sentence;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      if (input.tagName === "DETAILS" || input.closest("details")) input.closest("details")?.setAttribute("open", "");
      input.focus();
    }
    replace(result, h("div", { class: "notice bad", role: "alert" }, "Nothing was saved. ", sentence));
  };

  el.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors();
    const lat = coordinate(latitude.value);
    const lon = coordinate(longitude.value);
    if (lat === "bad") return showError("latitude", "The latitude is a number from -90 to 90, such as 51.5072.");
    if (lon === "bad") return showError("longitude", "The longitude is a number from -180 to 180, such as -0.1276.");
    const accepting = (el.querySelector<HTMLInputElement>('input[name="details-new-patients"]:checked')?.value ?? "");
    const body: DetailsInput = {
      street: street.value.trim() || null,
      city: city.value.trim() || null,
      postalCode: postal.value.trim() || null,
      country: country.value.trim() || null,
      phone: phone.value.trim() || null,
      website: website.value.trim() || null,
      hours: hours.value.trim() || null,
      languages: [...el.querySelectorAll<HTMLInputElement>('input[name="language"]:checked')].map((box) => box.value),
      acceptingNewPatients: accepting === "" ? null : accepting === "true",
      latitude: lat,
      longitude: lon,
    };
    const button = el.querySelector<HTMLButtonElement>("#details-save");
    if (button) button.disabled = true;
    replace(result, h("p", { class: "muted" }, "Saving…"));
    detailsApi.save(body).then(
      (details) => onSaved(details),
      (error: unknown) => {
        if (button) button.disabled = false;
        if (error instanceof ApiError && error.field) {
          const name = error.field.replace(/^body\./, "").split(".")[0];
          const sentence = error.code === "VALIDATION_ERROR" ? (FIELD_HELP[name] ?? explain(error)) : explain(error);
          return showError(name, sentence);
        }
        replace(result, h("div", { class: "notice bad", role: "alert" }, explain(error)));
      });
  });
  return el;
}

/** The card on the practice's page. */
export function detailsFormCard(): HTMLElement {
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const card = h("section", { class: "card", id: "details-card", "aria-labelledby": "details-h" },
    h("h2", { id: "details-h", style: "margin-top:0" }, "Practice details"),
    h("p", { class: "muted" },
      "Where patients find you: these details appear on your public profile and in the directory, where patients search by city, postal code and language. ",
      "They are your practice's public details; put no patient's information here."),
    body);
  const show = (details: PracticeDetails, justSaved: boolean): void => {
    replace(body,
      justSaved
        ? h("div", { class: "notice ok", role: "status", id: "details-saved" },
            "Saved. Patients see these details on your profile and in the directory now.")
        : null,
      details.updatedAt !== null
        ? h("p", { class: "muted", style: "font-size:.9rem" }, `Last saved ${when(details.updatedAt)}. `,
            h("a", { href: `/dentists/${details.dentist}` }, "See your public profile"))
        : h("p", { class: "muted", style: "font-size:.9rem" }, "Nothing saved yet."),
      form(details, (saved) => show(saved, true)));
    if (justSaved) body.querySelector<HTMLElement>("#details-saved")?.scrollIntoView({ block: "nearest" });
  };
  detailsApi.get().then(
    (details) => show(details, false),
    (error: unknown) => replace(body, h("div", { class: "notice bad", role: "alert" }, explain(error))));
  return card;
}
