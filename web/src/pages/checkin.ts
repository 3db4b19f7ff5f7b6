// Check-in at the practice, on the patient's phone: the practice's QR code opens
// /checkin/<practice code>; the patient makes a passkey, which becomes their account for
// this visit, and shows reception a short code. The key is made on the patient's device
// before the practice attests the visit, so the practice cannot review in their name.
import { ApiError } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { t, tLinked, useMessages } from "../i18n";
import {
  CheckinPractice,
  createPasskey,
  explainPasskey,
  passkeyApi,
  passkeysSupported,
  remember,
  remembered,
  Registered,
} from "../passkey";
import { checkedIn, recovery } from "../patient/passkey";

function notice(kind: "bad" | "ok" | "warn" | "info", ...text: (string | Node)[]): HTMLElement {
  return h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, ...text);
}

export async function render(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  await useMessages("checkin", "signin");
  setTitle(t("checkin.title"));
  const code = match[1].toUpperCase();
  let practice: CheckinPractice;
  try {
    practice = await passkeyApi.practice(code);
  } catch (error) {
    replace(main, h("h1", {}, t("checkin.title")), notice("bad", explainPasskey(error)));
    return;
  }
  const status = h("div", { id: "checkin-status", "aria-live": "polite" });
  const button = h("button", { type: "button", id: "create-passkey" }, t("checkin.create"));
  const box = h("section", { class: "card" },
    h("h2", { style: "margin-top:0" }, t("checkin.keyHeading")),
    h("p", {}, t("checkin.keyExplained")),
    h("p", {}, button),
    status,
    h("p", { class: "muted" }, recovery()));
  const known = remembered();
  replace(main,
    h("h1", {}, t("checkin.titleAt", { practice: practice.name })),
    known ? notice("info", ...tLinked("checkin.alreadyHave", ["/me"])) : null,
    box);
  if (!passkeysSupported()) {
    replace(status, notice("warn", t("checkin.unsupported")));
    button.disabled = true;
    return;
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    replace(status, h("p", {}, t("checkin.confirm")));
    let done: Registered;
    try {
      const offer = await passkeyApi.challenge();
      const credential = await createPasskey(offer.challenge, offer.rpId);
      done = await passkeyApi.register(practice.code, credential);
    } catch (error) {
      const ours = !(error instanceof ApiError) || error.code.startsWith("PASSKEY_") || error.code === "CHECKIN_NOT_FOUND";
      const sentence = ours ? explainPasskey(error) : explain(error);
      replace(status, notice("bad", sentence));
      button.disabled = false;
      return;
    }
    remember({ account: done.account, credentialId: done.credentialId, checkinCode: done.checkinCode, practiceName: practice.name });
    replace(main, h("h1", {}, t("checkin.done")), checkedIn(done.checkinCode, done.account, practice.name));
  });
}
