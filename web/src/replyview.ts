// The practice's public reply under a review: its latest signed version, marked "edited"
// when the practice signed more than one. Its words are in the "reply" namespace: a page
// that shows replies loads it.
import { ReviewOut, StatementAnchor } from "./api";
import { h } from "./dom";
import { date } from "./format";
import { t } from "./i18n";

/** Where the reply's latest signed version stands on-chain, in words. */
function anchorBadge(anchor: StatementAnchor | null | undefined): HTMLElement | null {
  if (!anchor) return null;
  if (anchor.status === "anchored") {
    const block = String(anchor.blockNumber);
    return h("span", { class: "badge ok", "data-anchor": anchor.final ? "final" : "anchored" },
      t(anchor.final ? "reply.anchoredFinal" : "reply.anchored", { block }));
  }
  return h("span", { class: "badge warn", "data-anchor": "pending" }, t("reply.pending"));
}

export function replyBlock(review: ReviewOut): HTMLElement | null {
  const reply = review.reply;
  if (!reply) return null;
  const versions = t("reply.versions", { count: reply.versions });
  return h("section", { class: "reply", "data-reply-for": review.id, "aria-label": t("reply.label") },
    h("div", { class: "reply-head" },
      h("strong", {}, t("reply.label")),
      h("span", { class: "muted" }, date(reply.signedAt)),
      reply.edited ? h("span", { class: "badge", "data-edited": "true", title: versions }, t("reply.edited")) : null,
      anchorBadge(reply.anchor),
      h("a", { href: `/v1/reviews/${review.id}/replies`, class: "muted", title: t("reply.jsonTitle") }, t("reply.jsonLink"))),
    h("p", { class: "reply-text" }, reply.text));
}
