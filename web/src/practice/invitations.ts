// The practice's sent invitations: each visit's short link (/i/<code>) with a one-click
// Copy button, and when its invitation email and reminder went out. Never the address.
import { send } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { date } from "../format";

export interface SentInvitation {
  visitId: string;
  visitedAt: number;
  invitationPath: string | null;
  emailQueued: boolean;
  invitedAt: number | null;
  remindedAt: number | null;
  unsubscribedAt: number | null;
  reviewed: boolean;
}

export const invitationsApi = {
  list: () => send<SentInvitation[]>("/v1/practice/invitations"),
};

function shortLink(invitation: SentInvitation): string {
  const path = invitation.invitationPath ?? `/invite/${invitation.visitId}`;
  return `${window.location.origin}${path}`;
}

/** The link with a Copy button; if the clipboard refuses, the link is selected instead. */
function copyCell(link: string): HTMLElement {
  const text = h("a", { href: link, class: "mono short-link" }, link);
  const said = h("span", { class: "muted copied", "aria-live": "polite" });
  const copy = h("button", { type: "button", class: "secondary small-button copy-link" }, "Copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(link);
      said.textContent = "Copied.";
    } catch {
      window.getSelection()?.selectAllChildren(text);
      said.textContent = "Selected: press Ctrl+C (or \u2318C) to copy.";
    }
  });
  return h("td", {}, text, " ", copy, " ", said);
}

function sent(invitation: SentInvitation): string {
  if (invitation.reviewed) return "Reviewed";
  if (invitation.unsubscribedAt !== null) return "Unsubscribed from emails";
  if (invitation.remindedAt !== null) return `Invited ${date(invitation.invitedAt ?? invitation.remindedAt)}, reminded ${date(invitation.remindedAt)}`;
  if (invitation.invitedAt !== null) return `Invited ${date(invitation.invitedAt)}`;
  if (invitation.emailQueued) return "Email waiting to be sent";
  return "No email: hand over the link";
}

/** The card of the practice's latest visits and their invitations. */
export function invitationsCard(): HTMLElement {
  const body = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, "Loading invitations…"));
  const card = h("section", { class: "card", id: "sent-invitations", "aria-labelledby": "sent-invitations-h" },
    h("h2", { id: "sent-invitations-h", style: "margin-top:0" }, "Invitations"),
    h("p", { class: "muted" }, "Every visit gets the same invitation. Copy a visit's short link to hand it to the patient."),
    body);
  void (async () => {
    let list: SentInvitation[];
    try {
      list = await invitationsApi.list();
    } catch (error) {
      replace(body, h("p", { class: "bad-text" }, explain(error)));
      return;
    }
    if (list.length === 0) {
      replace(body, h("p", { class: "muted" }, "No visits yet."));
      return;
    }
    replace(body, h("div", { class: "table-scroll" },
      h("table", { class: "plain", id: "invitations-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "Visit"), h("th", {}, "Link"), h("th", {}, "Email"))),
        h("tbody", {}, ...list.map((invitation) =>
          h("tr", { "data-visit": invitation.visitId },
            h("td", {}, date(invitation.visitedAt)),
            copyCell(shortLink(invitation)),
            h("td", {}, sent(invitation))))))));
  })();
  return card;
}
