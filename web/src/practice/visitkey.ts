// Attest visits without a wallet prompt each time: a visit-signing key made in this
// browser, which the practice's wallet authorises once (an EIP-712 VisitSigner that the
// service puts on-chain). The key stays in this browser's storage; visits of the CSV
// import and the single-visit form are then signed with it. "Stop this key" revokes it.
import { getAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount, PrivateKeyAccount } from "viem/accounts";
import { ApiError, ChainFacts, Eip712, send } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { shortAddress } from "../format";
import { Practice } from "./api";
import { practiceWallet, WrongWallet } from "./session";
import { call, explainWallet, switchChain } from "../wallet";

const YEAR = 365 * 86_400;
const PATH = "/v1/practice/visit-signers";

interface KeyOut {
  signer: string;
  status: "pending" | "active" | "revoked" | "expired" | "refused";
  validUntil: number;
}

interface KeysOut {
  keys: KeyOut[];
  nextNonce: number;
}

// One key per practice and registry: another deployment is another key.
function storageName(practice: Practice, eip712: Eip712): string {
  const domain = eip712.domain as { chainId?: number; verifyingContract?: string };
  return `dentareview.visitKey.${domain.chainId}.${String(domain.verifyingContract).toLowerCase()}.${practice.address.toLowerCase()}`;
}

/** The key this browser attests visits with for the practice, if there is one. */
export function localVisitKey(practice: Practice, eip712: Eip712): PrivateKeyAccount | null {
  const stored = window.localStorage.getItem(storageName(practice, eip712));
  return stored && /^0x[0-9a-f]{64}$/i.test(stored) ? privateKeyToAccount(stored as `0x${string}`) : null;
}

/** Sign a Visit with the local key: no wallet prompt. */
export function signVisitLocally(key: PrivateKeyAccount, eip712: Eip712, message: Record<string, unknown>): Promise<string> {
  const domain = eip712.domain as Parameters<PrivateKeyAccount["signTypedData"]>[0]["domain"];
  return key.signTypedData({ domain, types: { Visit: eip712.types.Visit }, primaryType: "Visit", message });
}

const STATUS_WORDS: Record<KeyOut["status"], string> = {
  pending: "waiting for the chain: it attests visits in a minute or so",
  active: "active",
  revoked: "stopped",
  expired: "expired: create a new one",
  refused: "refused by the chain: create a new one",
};

/** The card on the visits page: make a key, or stop it; the forms read it when they sign. */
export function visitKeyCard(practice: Practice, chain: ChainFacts, eip712: Eip712): HTMLElement {
  const card = h("section", { class: "card", id: "visit-key", "aria-labelledby": "visit-key-title" });
  const draw = async (message?: HTMLElement): Promise<void> => {
    const key = localVisitKey(practice, eip712);
    let status = "";
    if (key) {
      try {
        const listed = await send<KeysOut>(PATH);
        const found = listed.keys.find((k) => getAddress(k.signer) === key.address);
        status = found ? STATUS_WORDS[found.status] : "not known to the service";
      } catch (error) {
        status = explain(error);
      }
    }
    replace(card,
      h("h2", { id: "visit-key-title", style: "margin-top:0" }, "Attest visits without a prompt each time"),
      key
        ? h("div", {},
          h("p", { id: "visit-key-state" },
            "This browser now attests visits for your practice with its own key ",
            h("span", { class: "mono", title: key.address }, shortAddress(key.address)),
            `: ${status}. Visits below are signed with it, with no wallet prompt. Anyone using this browser can attest visits in your name until you stop the key.`),
          h("p", {}, h("button", { type: "button", class: "secondary", id: "visit-key-stop", onclick: () => void act(stop) }, "Stop this key")))
        : h("div", {},
          h("p", {},
            "Your wallet signs each visit by default. Instead, create a key in this browser: your wallet signs once to allow it, ",
            "and this browser then signs your visits itself. You can stop it at any time."),
          h("p", {}, h("button", { type: "button", id: "visit-key-create", onclick: () => void act(create) }, "Create a key in this browser"))),
      message ?? "");
  };
  const act = async (step: () => Promise<string>): Promise<void> => {
    for (const b of card.querySelectorAll("button")) b.setAttribute("disabled", "");
    let said: HTMLElement;
    try {
      said = h("div", { class: "notice ok", role: "status" }, await step());
    } catch (error) {
      const sentence = error instanceof WrongWallet
        ? `Your wallet is not on the practice's account. Switch it to ${practice.address}, then try again.`
        : error instanceof ApiError ? explain(error) : explainWallet(error);
      said = h("div", { class: "notice bad", role: "alert" }, sentence);
    }
    await draw(said);
  };
  // The practice's wallet signs the VisitSigner: the one prompt.
  const authorise = async (signer: string, validUntil: number): Promise<void> => {
    const wallet = await practiceWallet(practice);
    await switchChain(wallet.provider, chain.chainId, chain.rpcUrl ?? null);
    const { nextNonce } = await send<KeysOut>(PATH);
    const message = { signer, validUntil, nonce: nextNonce };
    const typedData = {
      domain: eip712.domain,
      types: { EIP712Domain: eip712.types.EIP712Domain, VisitSigner: eip712.types.VisitSigner },
      primaryType: "VisitSigner",
      message,
    };
    const signature = await call<string>(wallet.provider, "eth_signTypedData_v4", [wallet.account, JSON.stringify(typedData)]);
    await send<KeyOut>(PATH, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ message, signature }),
    });
  };
  const create = async (): Promise<string> => {
    const privateKey = generatePrivateKey();
    const key = privateKeyToAccount(privateKey);
    await authorise(key.address, Math.floor(Date.now() / 1000) + YEAR);
    window.localStorage.setItem(storageName(practice, eip712), privateKey);
    return "Key created. Once the chain confirms it, this browser attests your visits with no wallet prompt.";
  };
  const stop = async (): Promise<string> => {
    const key = localVisitKey(practice, eip712);
    if (key) await authorise(key.address, Math.floor(Date.now() / 1000));
    window.localStorage.removeItem(storageName(practice, eip712));
    return "Key stopped. Visits it signed before stay reviewable; new visits need your wallet again.";
  };
  void draw();
  return card;
}
