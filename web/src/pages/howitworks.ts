// "How reviews work here": what "verified" means, the reward that is the same for every
// rating, and how reports and removals are decided. This is the disclosure every profile
// and the widget link to (EU UCPD art. 7(6) as amended by 2019/2161; 16 CFR 465 and the
// FTC's Endorsement Guides on material connections).
import { api, ChainFacts } from "../api";
import { h, replace, setTitle } from "../dom";
import { MIN_REVIEWS_FOR_SCORE, tokenAmount } from "../format";
import { FLAG_REASONS } from "../moderation";

function reward(chain: ChainFacts | null): string {
  if (!chain || chain.tokenDecimals === null) return "the same reward";
  return `the same reward, ${tokenAmount(chain.rewardAmount, chain.tokenDecimals)} ${chain.tokenSymbol ?? "tokens"}`;
}

function section(id: string, title: string, ...body: (HTMLElement | null)[]): HTMLElement {
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id, style: "margin-top:0" }, title), ...body);
}

export async function render(main: HTMLElement): Promise<void> {
  setTitle("How reviews work here",
    "What “verified” means on DentaReview, the same reward for every rating, and how reports and removals are decided.");
  const chain = await api.chain().catch(() => null);
  const days = chain?.policy.review_window_days;
  replace(
    main,
    h("h1", {}, "How reviews work here"),
    h("p", { class: "lead" },
      "Every review on DentaReview comes from a real visit, is written by the patient who made it, and cannot be changed by anyone else, us included. This page explains how we check that, and what patients and practices can and cannot do."),
    section("verified-h", "What “verified” means",
      h("ol", { class: "plain-steps" },
        h("li", {}, h("strong", {}, "The practice confirms the visit. "),
          "When a patient visits, the practice signs a record of that visit with its own key. A review must name such a visit: nobody can review a practice they never visited."),
        h("li", {}, h("strong", {}, "The patient signs the review. "),
          "The review is signed on the patient's own device, with a passkey or a wallet. The practice cannot write it, change it or claim it for itself."),
        h("li", {}, h("strong", {}, "The review is recorded publicly. "),
          "A fingerprint of each review is recorded on a public blockchain, so that no one can change it or backdate it later without it showing.")),
      h("p", {}, "Anyone can check a review's three proofs themselves: each review has a “Verify” link that runs the checks in your own browser. ",
        h("a", { href: "/verify" }, "Verify a review"), "."),
      h("p", {}, "Each visit allows one review",
        days ? `, written within ${days} days of the visit` : "",
        ". Each practice can receive only a limited number of rewarded reviews a day, so that a practice inventing visits is slowed down, and every visit it confirms stays in its public record.")),
    section("reward-h", "The reward: the same for every rating",
      h("p", { id: "reward-line" },
        `Every patient who writes a review receives ${reward(chain)}, whatever their rating: one star or five. `,
        "The reward is paid by DentaReview, not by the practice, once the review is recorded."),
      h("p", {}, "Practices cannot pay for better ratings, choose who is rewarded, or pay to hide a review. A practice that offers anything for a good review breaks our rules; please report it.")),
    section("score-h", "The score",
      h("p", {}, `A practice's score is its patients' average rating, drawn toward the middle while it has few reviews, so that one or two reviews cannot decide it. Below ${MIN_REVIEWS_FOR_SCORE} reviews no score is shown.`),
      h("p", {}, "Every recorded review counts, good or bad. A review reported and kept still counts; a removed one no longer does.")),
    section("changes-h", "Changes, reports and removals",
      h("p", {}, "Only the patient can edit or erase their review, by signing the change. Every earlier version stays checkable; an erased review's text is deleted, and the record that it existed stays."),
      h("p", {}, "Practices can answer each review in public. They cannot edit, hide or delete it."),
      h("p", {}, "Anyone can report a review for one of these reasons: ",
        FLAG_REASONS.map(([, label]) => label.toLowerCase()).join(", "),
        ". A moderator decides each report by these published reasons, not by the rating or at a practice's request. A removed review stays listed on the profile as removed, with the reason, and every decision is shown on the review it concerns: this is the public moderation record.")),
    h("details", { class: "card", id: "auditor-details" },
      h("summary", {}, "Details for auditors"),
      h("p", {}, "Visits and reviews are EIP-712 typed messages (Visit, Review) under the domain DentaReview version 1",
        chain ? ` on chain ${chain.chainId}, registry ${chain.registry}` : "",
        ". Each review's digest is anchored by the registry contract, alone or in a Merkle batch; the reward is an ERC-20 transfer in the same transaction or a later one."),
      h("p", {}, "The proof of each review is public at ", h("span", { class: "mono" }, "/v1/reviews/{id}/proof"),
        "; ", h("a", { href: "/docs" }, "the API reference"), " lists every route.")),
  );
}
