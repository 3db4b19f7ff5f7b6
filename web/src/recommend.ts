// "Would you recommend us?": after the review is posted, the wallet signs the patient's
// 0–10 score as a `Recommendation` and the page posts it. The practice sees only totals.
import { Eip712, Policy, send } from "./api";
import { h, replace } from "./dom";
import { explain } from "./errors";
import { t } from "./i18n";
import { deadline, typedData } from "./reviewform";
import { call, Eip1193, explainWallet } from "./wallet";

export interface RecommendationOut {
  visitId: string;
  digest: string;
  reviewAnchored: boolean;
}

/** A status box (messages: namespaces "reviewform" and "signin") that asks the wallet to sign `score` for the visit, posts it and says how it went. */
export function recommendStep(provider: Eip1193, account: string, eip712: Eip712, policy: Policy, visitId: string, score: number): HTMLElement {
  const status = h("div", { "aria-live": "polite" }, h("p", {}, t("reviewform.recommendSign", { score })));
  const box = h("section", { class: "card", id: "recommend-status" },
    h("h2", { style: "margin-top:0" }, t("reviewform.recommendTitle")), status);
  void (async () => {
    const message = { visitId, score, deadline: deadline(policy) };
    let signature: string;
    try {
      signature = await call<string>(provider, "eth_signTypedData_v4", [account, JSON.stringify(typedData(eip712, "Recommendation", message))]);
    } catch (error) {
      replace(status, h("div", { class: "notice warn", role: "status" }, t("reviewform.recommendNotSent", { reason: explainWallet(error) })));
      return;
    }
    try {
      await send<RecommendationOut>("/v1/recommendations", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message, signature }),
      });
    } catch (error) {
      replace(status, h("div", { class: "notice warn", role: "status" }, t("reviewform.recommendNotRecorded", { reason: explain(error) })));
      return;
    }
    replace(status, h("div", { class: "notice ok", role: "status", id: "recommend-done" },
      h("strong", {}, t("reviewform.recommendThanks")),
      t("reviewform.recommendPrivacy")));
  })();
  return box;
}
