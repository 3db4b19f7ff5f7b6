// Every API error code as a sentence that says what to do. Codes are stable; messages
// from the service add detail but are not shown alone.
import { ApiError } from "./api";

const SENTENCES: Record<string, string> = {
  VALIDATION_ERROR: "Something in the review is not in the expected form. Reload the page and try again.",
  INVALID_SIGNATURE: "Your wallet's signature could not be checked. Sign the review again.",
  UNKNOWN_DENTIST: "This practice is not registered with DentaReview. Ask the practice about it.",
  DENTIST_INACTIVE: "This practice is currently deactivated, so it cannot take new reviews.",
  VISIT_NOT_FOUND: "This invitation link does not match any visit. Check the link, or ask the practice for a new one.",
  NOT_VISIT_PATIENT: "The wallet that signed is not the one this visit was recorded for. Switch to that wallet and sign again.",
  SELF_REVIEW: "A practice cannot review itself.",
  VISIT_IN_FUTURE: "This visit is dated in the future. Ask the practice to correct it.",
  DUPLICATE_VISIT: "This visit was already recorded.",
  DENTIST_VISIT_LIMIT: "This practice has recorded the most visits allowed for one day. Try again tomorrow, or ask DentaReview to raise the limit.",
  VISIT_SIGNER_REVOKED: "The key that signed this visit was stopped, or may not sign a visit at this time. Sign the visit with your wallet, or create a new key.",
  VISIT_SIGNER_NOT_ACTIVE: "The key that signed this visit is not confirmed on the blockchain yet. Wait a minute and try again.",
  VISIT_SIGNER_NOT_AVAILABLE: "This key cannot be allowed: it is your own wallet, or it already signs visits for another practice. Create a new key.",
  VISIT_SIGNER_NONCE: "Another key change was made meanwhile. Reload the page and try again.",
  DUPLICATE_REVIEW: "This visit already has a review. Each visit can be reviewed once.",
  REVIEW_WINDOW_CLOSED: "The time to review this visit is over (reviews are taken for a limited time after the visit).",
  SIGNATURE_EXPIRED: "The signature expired before it arrived. Sign again.",
  DEADLINE_TOO_FAR: "Your device's clock seems to be wrong. Correct the date and time, then sign again.",
  TEXT_TOO_SHORT: "Your review is too short. Add a few more details, then sign again.",
  TEXT_TOO_LONG: "Your review is too long. Shorten it, then sign again.",
  TOO_FEW_WORDS: "Your review needs a few more words. Add some details, then sign again.",
  INVALID_RATING: "Each rating must be from 1 to 5 stars. Choose one for every question.",
  REVIEW_NOT_FOUND: "There is no review with this number. Check the link.",
  REVIEW_NOT_ANCHORED: "This review is not anchored on the blockchain yet, so its proof does not exist yet. Try again in a minute.",
  DENTIST_NOT_FOUND: "No dentist is registered at this address. Check the link.",
  PAYLOAD_TOO_LARGE: "The review is too large to send. Shorten it and try again.",
  RATE_LIMITED: "Too many attempts in a short time. Wait a minute, then try again.",
  CHAIN_UNAVAILABLE: "The blockchain cannot be reached right now. Try again in a few minutes.",
  NOT_DEPLOYED: "The service is not set up on its blockchain yet. Try again later.",
  INTERNAL_ERROR: "Something went wrong on our side. It has been logged; try again later.",
  NOT_FOUND: "This page or address does not exist.",
  METHOD_NOT_ALLOWED: "This action is not possible here.",
  SIWE_INVALID: "The sign-in request was not in the expected form. Reload the page and sign in again.",
  SIWE_DOMAIN_MISMATCH: "The sign-in was made for another site or network. Check the address bar, then sign in again.",
  SIWE_NONCE_UNKNOWN: "This sign-in request was already used or has expired. Sign in again.",
  SIWE_EXPIRED: "The sign-in request has expired. Sign in again.",
  SIWE_SIGNATURE_MISMATCH: "The signature does not come from the wallet that is signing in. Sign in again with that wallet.",
  NOT_SIGNED_IN: "Sign in with your wallet to see this.",
  NOT_A_DENTIST: "This wallet is not registered as a dentist. Switch your wallet to the practice's registered account and sign in again, or ask DentaReview to register it.",
  NOT_AN_OPERATOR: "This wallet is not one of this service's operators. Switch your wallet to an operator's account and sign in again.",
  CROSS_SITE_REQUEST: "This change was sent from another site, so it was refused. Open this service's own page and try again.",
  DENTIST_NOT_ON_CHAIN: "The blockchain does not show this dentist as registered and active, so nothing was recorded. Send the registration with the admin wallet first, wait until it is mined, then try again.",
  DENTIST_STILL_ACTIVE_ON_CHAIN: "The blockchain still shows this dentist as active, so the deactivation was not recorded. Send the deactivation with the admin wallet first, wait until it is mined, then try again.",
  FORBIDDEN: "This belongs to another wallet. Sign in with the wallet it belongs to.",
  UNSAFE_KEYS: "The service is not set up safely and will not sign anything yet. Try again later.",
  NOT_REVIEW_AUTHOR: "Only the wallet that wrote this review can edit or erase it. Switch to that wallet and sign again.",
  REVISION_CONFLICT: "This review changed since you opened it. Reload it and sign your change again.",
  REVIEW_ERASED: "This review was erased by its author, so it can no longer be changed or replied to.",
  NOT_VISIT_DENTIST: "Only the practice that recorded this visit can reply. Switch your wallet to the practice's registered account and sign again.",
  REPLY_CONFLICT: "The reply changed since you opened it (perhaps from another window). Reload the page and sign your reply again.",
  REPLY_TEXT_INVALID: "Your reply is empty, too long or holds characters that cannot be shown. Correct it, then sign again.",
  REPLY_VERSION_LIMIT: "This reply has been edited the most times allowed, so it cannot be changed again.",
  INVALID_SCORE: "Choose a score from 0 to 10.",
  RECOMMENDATION_NEEDS_REVIEW: "Your answer is asked with your review: publish the review first.",
  DUPLICATE_RECOMMENDATION: "You already answered this question for this visit; the first answer stands.",
  WEBHOOK_URL_REFUSED: "The webhook address must start with https:// and point to a public server, not one inside a private network. Check it and save again.",
  NAME_BIDI_CONTROL: "The name holds a hidden character that reverses the text direction. Remove it and type the name again.",
  NAME_CONTROL_CHARACTERS: "The name holds a control character or a line break. Write it on one line of plain text.",
  NAME_UNUSABLE_CHARACTERS: "The name holds a character that has no standard meaning. Use ordinary letters, digits and punctuation.",
  NAME_INVISIBLE_CHARACTERS: "The name holds an invisible character (such as a zero-width space). Remove it and type the name again.",
  NAME_MARKUP: "A name cannot hold the characters < or >. Remove them.",
  NAME_BLANK: "Give the practice a name with visible letters, as patients will see it.",
  NAME_TOO_LONG: "The name is too long: at most 200 characters.",
  NAME_MIXED_SCRIPT: "A word of the name mixes alphabets with look-alike letters (for example a Cyrillic a in a Latin word). Write each word in one alphabet.",
  NAME_CONFUSABLE: "This name looks like another practice's name. Choose a name patients can tell apart.",
  RENAME_REQUIRES_REASON: "This dentist is already recorded under another name. Change the name with Rename, giving a reason.",
  RENAME_REASON_INVALID: "Give the reason for the name change in plain words (at most 500 characters).",
  NAME_UNCHANGED: "The practice already has this name; there is nothing to change.",
  NETWORK: "The service cannot be reached. Check your connection and try again.",
};

export function explain(error: unknown): string {
  if (error instanceof ApiError) {
    return SENTENCES[error.code] ?? `The service refused the request (${error.code}): ${error.message}`;
  }
  return "Something unexpected went wrong. Reload the page and try again.";
}

export function knownCodes(): string[] {
  return Object.keys(SENTENCES);
}
