// Check-in at the practice, on the patient's phone: the practice's QR code opens
// /checkin/<practice code>; the patient makes a passkey, which becomes their account for
// this visit, and shows reception a short code. The key is made on the patient's device
// before the practice attests the visit, so the practice cannot review in their name.
import { ApiError } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
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
import { checkedIn, RECOVERY } from "../patient/passkey";

function notice(kind: "bad" | "ok" | "warn" | "info", ...text: (string | Node)[]): HTMLElement {
  return h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, ...text);
}

export async function render(main: HTMLElement, match: RegExpMatchArray): Promise<void> {
  setTitle("Check in");
  const code = match[1].toUpperCase();
  let practice: CheckinPractice;
  try {
    practice = await passkeyApi.practice(code);
  } catch (error) {
    replace(main, h("h1", {}, "Check in"), notice("bad", explainPasskey(error)));
    return;
  }
  const status = h("div", { id: "checkin-status", "aria-live": "polite" });
  const button = h("button", { type: "button", id: "create-passkey" }, "Create my passkey");
  const box = h("section", { class: "card" },
    h("h2", { style: "margin-top:0" }, "Your key for reviewing this visit"),
    h("p", {},
      "Your phone makes a passkey, protected by your face, fingerprint or screen lock. ",
      "It lets only you review this visit. We ask for no name, email or phone number."),
    h("p", {}, button),
    status,
    h("p", { class: "muted" }, RECOVERY));
  const known = remembered();
  replace(main,
    h("h1", {}, `Check in at ${practice.name}`),
    known
      ? notice("info", "This phone already has a passkey for DentaReview. ",
          h("a", { href: "/me" }, "Show my code"), " or make a new one below.")
      : null,
    box);
  if (!passkeysSupported()) {
    replace(status, notice("warn", "This browser cannot make passkeys. Open the link in your phone's usual browser (Safari or Chrome)."));
    button.disabled = true;
    return;
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    replace(status, h("p", {}, "Your phone asks you to confirm with your face, fingerprint or screen lock…"));
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
    replace(main, h("h1", {}, "You are checked in"), checkedIn(done.checkinCode, done.account, practice.name));
  });
}
