// A passkey patient's own card: the check-in code and QR for reception, the reward the
// account holds, "Send my reward" (the passkey signs the account's Transfer; the service
// relays it, so the patient pays nothing) and what to do before a passkey is lost.
import { getAddress, hashTypedData, isAddress, type Hex } from "viem";
import { ApiError, ChainFacts, send } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { tokenAmount } from "../format";
import { explainPasskey, PasskeyFacts, remembered, signHash } from "../passkey";
import { qrSvg } from "../practice/qr";

export const RECOVERY = [
  "Your passkey is saved by your phone and synced like your passwords (iCloud Keychain or Google Password Manager), ",
  "so a new phone signed in to the same account has it too. If you lose it, the reward it holds can no longer be sent, ",
  "and a new review needs a new check-in. Before that happens, send your reward to an account you keep.",
].join("");

/** A reward transfer as `POST /v1/me/reward-transfers` answers it. */
export interface TransferSent {
  id: number;
  to: string;
  amount: string;
  status: "pending" | "done" | "refused";
  txHash: string | null;
  error: string | null;
}

const TRANSFERS = "/v1/me/reward-transfers";

/** The body, with the amount as a JSON number however large (JSON.stringify has no bigint). */
function transferBody(message: { token: string; to: string; amount: bigint; nonce: bigint; deadline: bigint }, signature: Hex): string {
  const marker = "__AMOUNT__";
  const body = JSON.stringify({
    message: { token: message.token, to: message.to, amount: marker, nonce: Number(message.nonce), deadline: Number(message.deadline) },
    signature,
  });
  return body.replace(`"${marker}"`, message.amount.toString());
}

async function settled(id: number): Promise<TransferSent | null> {
  for (let i = 0; i < 90; i++) {
    const found = (await send<TransferSent[]>(TRANSFERS).catch(() => [])).find((t) => t.id === id);
    if (found && found.status !== "pending") return found;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return null;
}

function notice(kind: "bad" | "ok" | "warn" | "info", ...text: (string | Node)[]): HTMLElement {
  return h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, ...text);
}

/** The code for reception and the account's QR code; the address only under "Details". */
export function checkedIn(code: string | null, account: string, practiceName?: string): HTMLElement {
  return h("section", { class: "card", id: "checked-in" },
    h("h2", { style: "margin-top:0" }, practiceName ? `Checked in at ${practiceName}` : "Your check-in code"),
    code ? h("p", {}, "Show this code at reception: ", h("strong", { id: "checkin-code", class: "big-code" }, code)) : null,
    h("div", { style: "max-width:220px" }, qrSvg(account, "Your patient QR code for reception")),
    h("p", { class: "muted" },
      "After your visit the practice sends you a link to review it. You sign your review with this passkey: nothing to install."),
    h("details", {},
      h("summary", {}, "Details"),
      h("p", {}, "Your account address: ", h("span", { class: "mono", id: "account" }, account)),
      h("p", { class: "muted" }, RECOVERY)));
}

const TRANSFER_TYPES = {
  Transfer: [
    { name: "token", type: "address" },
    { name: "to", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
} as const;

interface Token {
  symbol: string;
  decimals: number;
}

/** The passkey account's card on the patient's own page. */
export async function passkeyCard(facts: PasskeyFacts, token: Token, chain: () => Promise<ChainFacts>): Promise<HTMLElement> {
  const mine = remembered();
  const code = mine && mine.account.toLowerCase() === facts.account.toLowerCase() ? mine.checkinCode ?? null : null;
  const balance = facts.rewardBalance === null ? null : BigInt(facts.rewardBalance);
  const words = balance === null ? "unknown right now" : `${tokenAmount(balance, token.decimals)} ${token.symbol} reward`;
  const balanceLine = h("strong", { id: "passkey-balance" }, words);
  const to = h("input", { id: "send-to", name: "to", autocomplete: "off", placeholder: "0x…", required: true });
  const submit = h("button", { type: "submit" }, "Send my reward");
  const result = h("div", { id: "send-result", "aria-live": "polite" });
  const form = h("form", { id: "send-reward", novalidate: true },
    h("label", { for: "send-to" }, "Send all of it to this account address"),
    to, h("p", {}, submit), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const address = to.value.trim();
    if (!isAddress(address, { strict: false })) {
      replace(result, notice("bad", "That is not an account address. Copy it from the wallet or exchange you are sending to."));
      return;
    }
    if (!balance) {
      replace(result, notice("warn", "There is no reward to send yet."));
      return;
    }
    submit.disabled = true;
    replace(result, h("p", {}, "Confirm with your passkey (face, fingerprint or screen lock)…"));
    try {
      const facts_ = await chain();
      const deadline = Math.floor(Date.now() / 1000) + 3600;
      const message = { token: getAddress(facts_.token), to: getAddress(address), amount: balance, nonce: BigInt(facts.transferNonce), deadline: BigInt(deadline) };
      const digest = hashTypedData({
        domain: { name: "DentaReview Passkey Account", version: "1", chainId: facts_.chainId, verifyingContract: getAddress(facts.account) },
        types: TRANSFER_TYPES,
        primaryType: "Transfer",
        message,
      });
      const signature: Hex = await signHash(digest, facts, true);
      const sent = await send<TransferSent>(TRANSFERS, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: transferBody(message, signature),
      });
      form.querySelector("label")?.remove();
      to.remove();
      submit.remove();
      replace(result, notice("info", h("strong", {}, "Your reward is on its way. "), "This takes a few seconds."));
      const done = await settled(sent.id);
      const details = (t: TransferSent | null) => h("details", {}, h("summary", {}, "Details"),
        h("p", {}, "To ", h("span", { class: "mono" }, message.to)),
        t?.txHash ? h("p", {}, "Transaction ", h("span", { class: "mono" }, t.txHash)) : null);
      if (done?.status === "done") {
        replace(result, notice("ok", h("strong", { id: "reward-sent" }, "Sent. "), `Your ${words} is now in the account you chose.`), details(done));
        replace(balanceLine, `0 ${token.symbol} reward`);
      } else if (done?.status === "refused") {
        replace(result, notice("bad", `The reward could not be sent: ${done.error ?? "the account refused it"}.`), details(done));
      } else {
        replace(result, notice("info", "Your reward is still on its way. Reload this page in a minute to see it arrive."), details(done));
      }
    } catch (error) {
      replace(result, notice("bad", error instanceof ApiError ? explain(error) : explainPasskey(error)));
      submit.disabled = false;
    }
  });
  return h("section", { "aria-labelledby": "passkey-h", id: "passkey" },
    h("h2", { id: "passkey-h" }, "Your passkey account"),
    h("div", { class: "card" },
      h("p", {}, "You have ", balanceLine, "."),
      form,
      h("p", { class: "muted" }, RECOVERY)),
    checkedIn(code, facts.account));
}
