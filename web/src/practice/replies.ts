// The practice's reply to a review: the PHI check before signing, the ReviewReply typed
// data signed with eth_signTypedData_v4 over the served domain and type, and the post.
import { ApiError, ChainFacts, Eip712, ReviewOut, send } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { charCount } from "../format";
import { deadline, typedData } from "../reviewform";
import { notice } from "../signin";
import { call, explainWallet, switchChain } from "../wallet";
import { Practice } from "./api";
import { practiceWallet, WrongWallet } from "./session";

export const NO_PREVIOUS = `0x${"00".repeat(32)}`;

export interface PhiWarning {
  code: string;
  start: number;
  end: number;
  match: string;
  message: string;
}

export interface ReplyMessage {
  visitId: string;
  reviewDigest: string;
  previousDigest: string;
  text: string;
  deadline: number;
}

export interface AcceptedReply {
  reviewId: number;
  seq: number;
  digest: string;
  previousDigest: string;
  edited: boolean;
  signedAt: number;
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

export const replyApi = {
  check: (text: string) => send<{ warnings: PhiWarning[] }>("/v1/replies/check", json({ text })),
  post: (reviewId: number, message: ReplyMessage, signature: string) =>
    send<AcceptedReply>(`/v1/reviews/${reviewId}/reply`, json({ message, signature })),
};

export interface ReplyContext {
  practice: Practice;
  chain: ChainFacts;
  eip712: Eip712;
}

/** The text with every warned span marked, as nodes (never parsed as HTML). */
function marked(text: string, warnings: PhiWarning[]): (Node | string)[] {
  const chars = [...text]; // the service counts code points
  const out: (Node | string)[] = [];
  let at = 0;
  for (const w of [...warnings].sort((a, b) => a.start - b.start)) {
    if (w.start < at) continue;
    out.push(chars.slice(at, w.start).join(""), h("mark", {}, chars.slice(w.start, w.end).join("")));
    at = w.end;
  }
  out.push(chars.slice(at).join(""));
  return out;
}

function warningList(text: string, warnings: PhiWarning[]): HTMLElement {
  return h("div", { class: "notice warn", role: "alert", id: "phi-warnings" },
    h("strong", {}, warnings.length === 1
      ? "This reply may disclose a patient's health information:"
      : `This reply may disclose a patient's health information in ${warnings.length} places:`),
    h("ul", { class: "phi-warnings" }, warnings.map((w) =>
      h("li", { "data-code": w.code }, h("mark", {}, w.match), " — ", w.message))),
    h("p", { class: "reply-preview" }, marked(text, warnings)),
    h("p", { style: "margin-bottom:0" },
      "A public reply must not confirm what the patient did not make public. Revise the reply, ",
      "or sign it anyway if you are sure these words disclose nothing about the patient."));
}

/** A form to write (or edit: prefilled) the reply to `review`; `done` gets the review
 * as the service now shows it. */
export function replyForm(ctx: ReplyContext, review: ReviewOut, done: (accepted: AcceptedReply, text: string) => void, cancel: () => void): HTMLElement {
  const max = ctx.chain.policy.reply_max_chars ?? 2000;
  const id = `reply-${review.id}`;
  const editing = review.reply ?? null;
  const text = h("textarea", { id: `${id}-text`, name: "reply", "aria-describedby": `${id}-help ${id}-count`, required: true });
  text.value = editing?.text ?? "";
  const count = h("div", { class: "counters", id: `${id}-count`, "aria-live": "polite" });
  const updateCount = () => {
    const c = charCount(text.value);
    count.textContent = c > max ? `${c} characters: ${c - max} too many` : `${c} of at most ${max} characters`;
    count.className = `counters ${c > max ? "short" : ""}`;
  };
  text.addEventListener("input", () => {
    updateCount();
    checked = null; // the warnings were for other words
    submit.textContent = "Check and sign";
  });
  updateCount();
  const submit = h("button", { type: "submit" }, "Check and sign");
  const back = h("button", { type: "button", class: "secondary", onclick: cancel }, "Cancel");
  const result = h("div", { "aria-live": "polite" });
  let checked: string | null = null; // the text whose warnings the dentist has seen
  const form = h("form", { class: "reply-form", novalidate: true, "aria-label": editing ? "Edit your reply" : "Reply to this review" },
    h("label", { for: `${id}-text` }, editing ? "Edit your public reply" : "Your public reply"),
    h("p", { id: `${id}-help`, class: "muted", style: "margin:0 0 6px" },
      "Everyone can read it under the review. Thank the patient and speak of your practice in general: ",
      "no names, no dates of visits, no treatments. Your wallet signs it; ",
      editing ? "the new version replaces the shown one and earlier versions stay in the reply's history." : "you can edit it later (each version is kept)."),
    text, count,
    h("div", { class: "row" }, submit, back),
    result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const words = text.value;
    if (!words.trim()) {
      replace(result, notice("bad", "Write your reply first."));
      text.focus();
      return;
    }
    if (charCount(words) > max) {
      replace(result, notice("bad", `Your reply is longer than ${max} characters. Shorten it, then sign.`));
      text.focus();
      return;
    }
    submit.disabled = true;
    try {
      if (checked !== words) {
        replace(result, h("p", {}, "Checking your reply for patient information…"));
        const { warnings } = await replyApi.check(words);
        checked = words;
        if (warnings.length) {
          replace(result, warningList(words, warnings));
          submit.textContent = "Sign anyway";
          return;
        }
      }
      replace(result, h("p", {}, "Check your wallet: it asks you to sign your reply."));
      const message: ReplyMessage = {
        visitId: review.visitId,
        reviewDigest: review.digest,
        previousDigest: editing?.digest ?? NO_PREVIOUS,
        text: words,
        deadline: deadline(ctx.chain.policy),
      };
      const signature = await signReply(ctx, message);
      const accepted = await replyApi.post(review.id, message, signature);
      done(accepted, words);
    } catch (error) {
      replace(result, notice("bad", error instanceof WrongWallet
        ? `Your wallet is not on the practice's account. Switch it to ${ctx.practice.address}, then sign again.`
        : error instanceof ApiError ? explain(error)
        : explainWallet(error)));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

async function signReply(ctx: ReplyContext, message: ReplyMessage): Promise<string> {
  const wallet = await practiceWallet(ctx.practice);
  await switchChain(wallet.provider, ctx.chain.chainId, ctx.chain.rpcUrl ?? null);
  const data = typedData(ctx.eip712, "ReviewReply", message as unknown as Record<string, unknown>);
  return call<string>(wallet.provider, "eth_signTypedData_v4", [wallet.account, JSON.stringify(data)]);
}
