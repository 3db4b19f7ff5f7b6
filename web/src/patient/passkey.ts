// A passkey patient's own card: the check-in code and QR for reception, the reward the
// account holds, "Send my reward" (the passkey signs the account's Transfer; the service
// relays it, so the patient pays nothing) and what to do before a passkey is lost.
// viem is loaded only when the reward is sent. Messages: namespace "signin".
import type { Hex } from "viem";
import { ApiError, ChainFacts, send } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { tokenAmount } from "../format";
import { t, type Key } from "../i18n";
import { explainPasskey, PasskeyFacts, remembered, signHash } from "../passkey";
import { qrSvg } from "../practice/qr";

/** What happens to the passkey and its reward if the phone is lost. */
export function recovery(): string {
  return t("signin.recovery");
}

/** A message with an element in place of its {placeholder} (the words move around it). */
function withNode(key: Key, name: string, node: Node, params: Record<string, string | number> = {}): (Node | string)[] {
  const mark = "\u0000";
  const [before, after = ""] = t(key, { ...params, [name]: mark }).split(mark);
  return [before, node, after];
}

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
    h("h2", { style: "margin-top:0" }, practiceName ? t("signin.checkedInAt", { practice: practiceName }) : t("signin.yourCode")),
    code ? h("p", {}, withNode("signin.showCode", "code", h("strong", { id: "checkin-code", class: "big-code" }, code))) : null,
    h("div", { style: "max-width:220px" }, qrSvg(account, t("signin.qrLabel"))),
    h("p", { class: "muted" }, t("signin.afterVisit")),
    h("details", {},
      h("summary", {}, t("signin.details")),
      h("p", {}, withNode("signin.accountAddress", "account", h("span", { class: "mono", id: "account" }, account))),
      h("p", { class: "muted" }, recovery())));
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
  const amount = balance === null ? null : `${tokenAmount(balance, token.decimals)} ${token.symbol}`;
  const words = amount === null ? t("signin.balanceUnknown") : t("signin.rewardAmount", { amount });
  const balanceLine = h("strong", { id: "passkey-balance" }, words);
  const to = h("input", { id: "send-to", name: "to", autocomplete: "off", placeholder: "0x…", required: true });
  const submit = h("button", { type: "submit" }, t("signin.sendReward"));
  const result = h("div", { id: "send-result", "aria-live": "polite" });
  const form = h("form", { id: "send-reward", novalidate: true },
    h("label", { for: "send-to" }, t("signin.sendTo")),
    to, h("p", {}, submit), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const address = to.value.trim();
    const { getAddress, hashTypedData, isAddress } = await import("viem");
    if (!isAddress(address, { strict: false })) {
      replace(result, notice("bad", t("signin.notAnAddress")));
      return;
    }
    if (!balance) {
      replace(result, notice("warn", t("signin.nothingToSend")));
      return;
    }
    submit.disabled = true;
    replace(result, h("p", {}, t("signin.confirmPasskey")));
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
      replace(result, notice("info", h("strong", {}, t("signin.onItsWay")), t("signin.fewSeconds")));
      const done = await settled(sent.id);
      const details = (transfer: TransferSent | null) => h("details", {}, h("summary", {}, t("signin.details")),
        h("p", {}, withNode("signin.transferTo", "address", h("span", { class: "mono" }, message.to))),
        transfer?.txHash ? h("p", {}, withNode("signin.transaction", "hash", h("span", { class: "mono" }, transfer.txHash))) : null);
      if (done?.status === "done") {
        replace(result, notice("ok", h("strong", { id: "reward-sent" }, t("signin.sent")), t("signin.sentTo", { amount: amount ?? "" })), details(done));
        replace(balanceLine, t("signin.rewardAmount", { amount: `0 ${token.symbol}` }));
      } else if (done?.status === "refused") {
        replace(result, notice("bad", t("signin.notSent", { reason: done.error ?? t("signin.accountRefused") })), details(done));
      } else {
        replace(result, notice("info", t("signin.stillOnItsWay")), details(done));
      }
    } catch (error) {
      replace(result, notice("bad", error instanceof ApiError ? explain(error) : explainPasskey(error)));
      submit.disabled = false;
    }
  });
  return h("section", { "aria-labelledby": "passkey-h", id: "passkey" },
    h("h2", { id: "passkey-h" }, t("signin.passkeyAccount")),
    h("div", { class: "card" },
      h("p", {}, withNode("signin.youHave", "balance", balanceLine)),
      form,
      h("p", { class: "muted" }, recovery())),
    checkedIn(code, facts.account));
}
