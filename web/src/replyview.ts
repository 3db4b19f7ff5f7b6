// The practice's public reply under a review: its latest signed version, marked "edited"
// when the practice signed more than one.
import { ReviewOut, StatementAnchor } from "./api";
import { h } from "./dom";
import { date } from "./format";

/** Where the reply's latest signed version stands on-chain, in words. */
function anchorBadge(anchor: StatementAnchor | null | undefined): HTMLElement | null {
  if (!anchor) return null;
  if (anchor.status === "anchored") {
    const where = `signed by the practice · anchored in block ${anchor.blockNumber}`;
    return h("span", { class: "badge ok", "data-anchor": anchor.final ? "final" : "anchored" }, anchor.final ? `${where} · final` : where);
  }
  return h("span", { class: "badge warn", "data-anchor": "pending" }, "signed by the practice · waiting to be anchored");
}

export function replyBlock(review: ReviewOut): HTMLElement | null {
  const reply = review.reply;
  if (!reply) return null;
  const versions = `${reply.versions} signed versions; the latest is shown`;
  return h("section", { class: "reply", "data-reply-for": review.id, "aria-label": "Reply from the practice" },
    h("div", { class: "reply-head" },
      h("strong", {}, "Reply from the practice"),
      h("span", { class: "muted" }, date(reply.signedAt)),
      reply.edited ? h("span", { class: "badge", "data-edited": "true", title: versions }, "edited") : null,
      anchorBadge(reply.anchor),
      h("a", { href: `/v1/reviews/${review.id}/replies`, class: "muted", title: "Every signed version, with the practice's signatures" }, "signed versions (JSON)")),
    h("p", { class: "reply-text" }, reply.text));
}
