// News for the practice: where it goes (a webhook signed per Standard Webhooks, an
// email address), the webhook secret shown once, and the delivery log in plain words.
import { send } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";

export interface NewsSettings {
  webhookUrl: string | null;
  email: string | null;
  hasSecret: boolean;
  secret: string | null;
}

export interface Delivery {
  id: number;
  event: string;
  eventWords: string;
  reviewId: number;
  channel: "webhook" | "email";
  status: "pending" | "delivered" | "failed" | "dropped";
  attempts: number;
  lastStatus: string | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  createdAt: number;
}

const newsApi = {
  settings: () => send<NewsSettings>("/v1/practice/news"),
  save: (webhookUrl: string | null, email: string | null) =>
    send<NewsSettings>("/v1/practice/news", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ webhookUrl, email }),
    }),
  rotate: () => send<NewsSettings>("/v1/practice/news/secret", { method: "POST" }),
  deliveries: () => send<{ deliveries: Delivery[] }>("/v1/practice/news/deliveries?limit=50"),
};

function when(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleString("en-GB", {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

const times = (n: number): string => (n === 1 ? "1 attempt" : `${n} attempts`);

/** What became of one delivery, as a sentence. */
export function deliveryWords(d: Delivery): string {
  const last = d.lastStatus ? ` (last answer: ${d.lastStatus})` : "";
  switch (d.status) {
    case "delivered":
      return `Delivered ${d.deliveredAt ? when(d.deliveredAt) : ""} after ${times(d.attempts)}.`;
    case "failed":
      return `Not delivered: gave up after ${times(d.attempts)}${last}.`;
    case "dropped":
      return "Not sent: this channel was turned off.";
    default:
      return d.attempts === 0
        ? "Waiting to be sent."
        : `Not delivered yet${last}; next try ${d.nextAttemptAt ? when(d.nextAttemptAt) : "soon"} (${times(d.attempts)} so far).`;
  }
}

function logList(deliveries: Delivery[]): HTMLElement {
  if (deliveries.length === 0) {
    return h("p", { class: "muted", id: "news-log-empty" }, "Nothing sent yet. News appears here as it happens.");
  }
  return h("ol", { class: "news-log", id: "news-log" }, deliveries.map((d) =>
    h("li", { "data-status": d.status, "data-event": d.event },
      h("strong", {}, d.eventWords),
      h("span", { class: "muted" }, ` · review ${d.reviewId} · by ${d.channel === "webhook" ? "webhook" : "email"} · ${when(d.createdAt)}`),
      h("div", { class: `news-status ${d.status}` }, deliveryWords(d)))));
}

function secretBox(secret: string): HTMLElement {
  return h("div", { class: "notice info", role: "status", id: "news-secret" },
    h("p", { style: "margin:0 0 .4rem" }, "Your webhook secret. Copy it now into your receiving system: it is not shown again."),
    h("code", { class: "secret", style: "word-break:break-all" }, secret));
}

/** The card on the practice's page. */
export function newsCard(): HTMLElement {
  const body = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, "Loading…"));
  const card = h("section", { class: "card", id: "news-card", "aria-labelledby": "news-h" },
    h("h2", { id: "news-h", style: "margin-top:0" }, "News for your practice"),
    h("p", { class: "muted" },
      "We tell you when a review is published, reported or removed, and when a review has waited a few days for your reply. ",
      "Choose where: your own system (a webhook, signed so it can check the news comes from us) or an email address."),
    body);
  const show = async (secret: string | null = null): Promise<void> => {
    const [settings, log] = await Promise.all([newsApi.settings(), newsApi.deliveries()]);
    const url = h("input", { id: "news-webhook", type: "url", inputmode: "url", placeholder: "https://example.com/hooks/dentareview", value: settings.webhookUrl ?? "", style: "width:100%" });
    const email = h("input", { id: "news-email", type: "text", inputmode: "email", autocomplete: "email", placeholder: "front-desk@example.com", value: settings.email ?? "", style: "width:100%" });
    const result = h("div", { "aria-live": "polite" });
    const form = h("form", { id: "news-form", novalidate: true },
      h("label", { for: "news-webhook" }, "Webhook address (https)"), url,
      h("label", { for: "news-email" }, "Email address"), email,
      h("div", { class: "row", style: "margin-top:.6rem;gap:.5rem;flex-wrap:wrap" },
        h("button", { type: "submit", id: "news-save" }, "Save"),
        settings.hasSecret ? h("button", { type: "button", class: "secondary", id: "news-rotate" }, "New webhook secret") : null),
      result);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      newsApi.save(url.value.trim() || null, email.value.trim() || null).then(
        (saved) => show(saved.secret),
        (error: unknown) => replace(result, h("div", { class: "notice bad", role: "alert" }, explain(error))));
    });
    form.querySelector("#news-rotate")?.addEventListener("click", () => {
      newsApi.rotate().then(
        (rotated) => show(rotated.secret),
        (error: unknown) => replace(result, h("div", { class: "notice bad", role: "alert" }, explain(error))));
    });
    replace(body,
      secret ? secretBox(secret) : null,
      form,
      h("h3", {}, "Delivery log"),
      logList(log.deliveries));
  };
  void show().catch((error: unknown) => replace(body, h("div", { class: "notice bad", role: "alert" }, explain(error))));
  return card;
}
