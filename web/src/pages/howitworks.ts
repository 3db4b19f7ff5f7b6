// "How reviews work here": what "verified" means, the reward that is the same for every
// rating, and how reports and removals are decided. This is the disclosure every profile
// and the widget link to (EU UCPD art. 7(6) as amended by 2019/2161; 16 CFR 465 and the
// FTC's Endorsement Guides on material connections).
import { api, ChainFacts } from "../api";
import { h, replace, setTitle } from "../dom";
import { MIN_REVIEWS_FOR_SCORE, tokenAmount } from "../format";
import { inSentence, lang, lookup, t, tLinked, useMessages } from "../i18n";
import { FLAG_REASONS } from "../moderation";

function rewardLine(chain: ChainFacts | null): string {
  if (!chain || chain.tokenDecimals === null) return t("howitworks.rewardLine");
  return t("howitworks.rewardLineAmount", {
    amount: tokenAmount(chain.rewardAmount, chain.tokenDecimals),
    symbol: chain.tokenSymbol ?? t("howitworks.tokens"),
  });
}

function section(id: string, title: string, ...body: (HTMLElement | null)[]): HTMLElement {
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id, style: "margin-top:0" }, title), ...body);
}

function step(title: string, text: string): HTMLElement {
  return h("li", {}, h("strong", {}, title), " ", text);
}

export async function render(main: HTMLElement): Promise<void> {
  await useMessages("howitworks", "profile");
  setTitle(t("howitworks.title"), t("howitworks.description"));
  const chain = await api.chain().catch(() => null);
  const days = chain?.policy.review_window_days;
  const reasons = FLAG_REASONS.map(([value, label]) => inSentence(lookup("profile", `reason_${value}`) ?? label));
  replace(
    main,
    h("h1", {}, t("howitworks.title")),
    h("p", { class: "lead" }, t("howitworks.lead")),
    section("verified-h", t("howitworks.verifiedTitle"),
      h("ol", { class: "plain-steps" },
        step(t("howitworks.step1Title"), t("howitworks.step1")),
        step(t("howitworks.step2Title"), t("howitworks.step2")),
        step(t("howitworks.step3Title"), t("howitworks.step3"))),
      h("p", {}, tLinked("howitworks.checkYourself", ["/verify"])),
      h("p", {}, days ? t("howitworks.oneReviewDays", { days }) : t("howitworks.oneReview"))),
    section("reward-h", t("howitworks.rewardTitle"),
      h("p", { id: "reward-line" }, rewardLine(chain)),
      h("p", {}, t("howitworks.noPaying"))),
    section("score-h", t("howitworks.scoreTitle"),
      h("p", {}, t("howitworks.score", { min: MIN_REVIEWS_FOR_SCORE })),
      h("p", {}, t("howitworks.scoreCounts"))),
    section("changes-h", t("howitworks.changesTitle"),
      h("p", {}, t("howitworks.onlyPatient")),
      h("p", {}, t("howitworks.practicesAnswer")),
      h("p", {}, t("howitworks.reportReasons", { reasons: new Intl.ListFormat(lang, { type: "disjunction" }).format(reasons) }))),
    h("details", { class: "card", id: "auditor-details" },
      h("summary", {}, t("howitworks.auditors")),
      h("p", {}, chain
        ? t("howitworks.auditTypes", { chainId: String(chain.chainId), registry: chain.registry })
        : t("howitworks.auditTypesNoChain")),
      h("p", {}, tLinked("howitworks.auditProof", ["/docs"], { path: "/v1/reviews/{id}/proof" }))),
  );
}
