// The practice's reviews with its replies: write a reply, check it for patient
// information, sign it with the practice's wallet; edit it (a new signed version).
import { api, ReviewOut, ReviewPage, send } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { date, stars } from "../format";
import { replyForm, ReplyContext } from "../practice/replies";
import { practiceBar, requirePractice } from "../practice/session";
import { replyBlock } from "../replyview";
import { notice } from "../signin";
import { useMessages } from "../i18n";

const PAGE = 50;
const TITLE = "Reviews and replies";

// Revalidated on every read: the public cache may hold a listing from before a reply.
const fresh: RequestInit = { cache: "no-cache" };
const reviewsOf = (address: string, offset: number) =>
  send<ReviewPage>(`/v1/dentists/${address}/reviews?limit=${PAGE}&offset=${offset}&includePending=true`, fresh);
const reviewById = (id: number) => send<ReviewOut>(`/v1/reviews/${id}`, fresh);

function body(review: ReviewOut): (HTMLElement | null)[] {
  if (review.state === "erased" || review.state === "removed") {
    return [h("p", { class: "muted" }, review.state === "erased"
      ? "Erased by its author: it can no longer be replied to, and a reply given before is erased with it."
      : `${review.stateLabel ?? "Removed by moderation"}: the review and any reply are hidden from the public.`)];
  }
  return [
    h("div", { class: "row" },
      h("span", { class: "stars", "aria-label": `${review.rating} out of 5 stars` }, stars(review.rating)),
      review.stateLabel ? h("span", { class: "badge" }, review.stateLabel) : null,
      review.status !== "anchored" ? h("span", { class: "badge warn" }, "waiting to be anchored") : null),
    h("p", {}, review.text),
  ];
}

type Replied = (review: ReviewOut) => void;

function item(ctx: ReplyContext, review: ReviewOut, replied: Replied, flash?: HTMLElement): HTMLElement {
  const article = h("article", { class: "practice-review", "data-review-id": review.id, "aria-labelledby": `r-${review.id}-h` },
    h("h3", { id: `r-${review.id}-h`, class: "muted", style: "font-size:0.95rem;margin:0" }, `Review of ${date(review.submittedAt)}`),
    ...body(review),
    replyBlock(review),
    flash ?? null);
  const closed = review.state === "erased" || review.state === "removed";
  if (closed) return article;
  const actions = h("div", { class: "row reply-actions" });
  const open = h("button", { type: "button", class: review.reply ? "secondary" : "", "data-action": review.reply ? "edit-reply" : "reply" },
    review.reply ? "Edit reply" : "Reply");
  const reset = () => replace(actions, open);
  open.addEventListener("click", () => {
    replace(actions, replyForm(ctx, review, async (accepted) => {
      let shown = review;
      try {
        shown = await reviewById(review.id);
      } catch {
        // the reply is saved; the card shows it after a reload
      }
      replied(shown);
      article.replaceWith(item(ctx, shown, replied, notice("ok", accepted.edited
        ? `Your reply is updated (version ${accepted.seq}); it shows as "edited" and earlier versions stay in its signed history.`
        : "Your reply is published under the review, signed by your practice's wallet.")));
    }, reset));
    actions.querySelector("textarea")?.focus();
  });
  reset();
  article.append(actions);
  return article;
}

export async function render(main: HTMLElement): Promise<void> {
  await useMessages("signin", "reply"); // the sign-in and wallet messages (signin.ts, wallet.ts), replyview.ts
  setTitle(TITLE);
  const practice = await requirePractice(main, TITLE, () => window.location.reload());
  if (!practice) return;
  let ctx: ReplyContext;
  let page: ReviewPage;
  try {
    const [chain, eip712, first] = await Promise.all([api.chain(), api.eip712(), reviewsOf(practice.address, 0)]);
    ctx = { practice, chain, eip712 };
    page = first;
  } catch (error) {
    replace(main, practiceBar(practice, "reviews"), h("h1", {}, TITLE), notice("bad", explain(error)));
    return;
  }
  const reviews = [...page.items];
  const unanswered = () => reviews.filter((r) => !r.reply && r.state !== "erased" && r.state !== "removed").length;
  const summary = h("p", { id: "replies-summary" });
  const updateSummary = () => {
    summary.textContent = `${page.total} review${page.total === 1 ? "" : "s"}; of those shown, ${unanswered()} without a reply.`;
  };
  const replied: Replied = (shown) => {
    const at = reviews.findIndex((r) => r.id === shown.id);
    if (at >= 0) reviews[at] = shown;
    updateSummary();
  };
  const list = h("div", { class: "card", id: "practice-reviews" },
    reviews.length ? reviews.map((r) => item(ctx, r, replied)) : h("p", { class: "muted" }, "No review yet. Reviews appear here as your patients write them."));
  const more = h("button", { type: "button", class: "secondary" }, "Show older reviews");
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const next = await reviewsOf(practice.address, reviews.length);
      reviews.push(...next.items);
      list.append(...next.items.map((r) => item(ctx, r, replied)));
      updateSummary();
      if (reviews.length >= next.total || next.items.length === 0) more.remove();
    } catch (error) {
      more.replaceWith(notice("bad", explain(error)));
    } finally {
      more.disabled = false;
    }
  });
  updateSummary();
  replace(main,
    practiceBar(practice, "reviews"),
    h("h1", {}, TITLE),
    summary,
    h("p", { class: "muted" },
      "Your reply is public and signed by your practice's wallet. Before you sign, DentaReview checks it for words that may disclose a patient's health information ",
      "(a name, the date of a visit, a treatment): US practices have been fined for exactly that in replies to reviews."),
    list,
    page.total > reviews.length ? more : null);
}
