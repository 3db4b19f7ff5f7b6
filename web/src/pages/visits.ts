// The practice attests visits — one, or a CSV of many — with its browser wallet, and
// hands each patient an invitation: link, QR code and a printable sheet.
import { getAddress, isAddress } from "viem";
import { api, ApiError, ChainFacts, Eip712 } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { date, shortAddress, tokenAmount } from "../format";
import { practiceApi, Practice, VisitMessage } from "../practice/api";
import { MAX_ROWS, parseTime, parseVisitsCsv, VisitRow } from "../practice/csv";
import { checkinsCard } from "../practice/checkins";
import { invitationsCard } from "../practice/invitations";
import { qrSvg } from "../practice/qr";
import { practiceBar, practiceWallet, requirePractice, WrongWallet } from "../practice/session";
import { localVisitKey, signVisitLocally, visitKeyCard } from "../practice/visitkey";
import { call, explainWallet, switchChain } from "../wallet";
import { useMessages } from "../i18n";

interface Ctx {
  practice: Practice;
  chain: ChainFacts;
  eip712: Eip712;
  results: HTMLElement;
  sheets: HTMLElement;
}

function notice(kind: "bad" | "ok" | "warn" | "info", ...text: (string | Node)[]): HTMLElement {
  return h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, ...text);
}

function randomVisitId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function inviteUrl(visitId: string): string {
  return `${window.location.origin}/invite/${visitId}`;
}

export async function render(main: HTMLElement): Promise<void> {
  await useMessages("signin"); // the sign-in and wallet messages (signin.ts, wallet.ts)
  setTitle("Visits and invitations");
  const practice = await requirePractice(main, "Visits and invitations", () => window.location.reload());
  if (!practice) return;
  let chain: ChainFacts;
  let eip712: Eip712;
  try {
    [chain, eip712] = await Promise.all([api.chain(), api.eip712()]);
  } catch (error) {
    replace(main, practiceBar(practice, "visits"), notice("bad", explain(error)));
    return;
  }
  const ctx: Ctx = { practice, chain, eip712, results: h("section", { id: "results", "aria-live": "polite" }), sheets: h("section", { class: "sheets", id: "sheets" }) };
  const reward = `${tokenAmount(chain.rewardAmount, chain.tokenDecimals ?? 18)} ${chain.tokenSymbol ?? "tokens"}`;
  replace(main,
    practiceBar(practice, "visits"),
    h("h1", {}, "Visits and invitations"),
    h("p", { class: "muted" },
      "Your wallet signs each visit (an EIP-712 Visit: a random visit number, the patient's wallet, your wallet and the time). ",
      `Each patient then gets an invitation to review the visit, and ${reward} for a review, whatever the rating.`),
    checkinsCard((account) => {
      const field = document.getElementById("patient") as HTMLInputElement | null;
      if (field) {
        field.value = account;
        field.focus();
      }
    }),
    visitKeyCard(practice, chain, eip712),
    h("div", { class: "grid" }, singleForm(ctx), csvForm(ctx)),
    ctx.results,
    ctx.sheets,
    invitationsCard());
}

function localNow(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

function singleForm(ctx: Ctx): HTMLElement {
  const patient = h("input", { type: "text", id: "patient", name: "patient", placeholder: "0x…", autocomplete: "off", spellcheck: "false", required: true });
  const when = h("input", { type: "datetime-local", id: "visited-at", name: "visitedAt", value: localNow(), required: true });
  const form = h("form", { class: "card", id: "single", novalidate: true },
    h("h2", { style: "margin-top:0" }, "One visit"),
    h("label", { for: "patient" }, "Patient's wallet address"),
    patient,
    h("label", { for: "visited-at", style: "margin-top:8px" }, "Visit date and time"),
    when,
    h("p", {}, h("button", { type: "submit" }, "Sign and record the visit")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const visitedAt = parseTime(when.value);
    const row: VisitRow = { line: 1, patient: patient.value.trim(), visitedAt, problem: null };
    if (!isAddress(row.patient, { strict: false })) row.problem = "The patient's wallet is not a 0x address of 40 hex digits.";
    else if (visitedAt === null) row.problem = "Choose the date and time of the visit.";
    void attestAll(ctx, [row], form);
  });
  return form;
}

function csvForm(ctx: Ctx): HTMLElement {
  const file = h("input", { type: "file", id: "csv-file", accept: ".csv,text/csv,text/plain" });
  const text = h("textarea", { id: "csv-text", name: "csv", placeholder: "patient,visited_at\n0x1234…,2026-11-20T09:30", style: "min-height:110px" });
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (chosen) text.value = await chosen.text();
  });
  const form = h("form", { class: "card", id: "batch", novalidate: true },
    h("h2", { style: "margin-top:0" }, "Many visits from a CSV"),
    h("p", { class: "muted", style: "margin-top:0" },
      "One visit per line: the patient's wallet, then the visit time (2026-11-20T09:30, a date, or unix seconds). A header line is optional."),
    h("label", { for: "csv-file" }, "CSV file"),
    file,
    h("label", { for: "csv-text", style: "margin-top:8px" }, "or paste the lines"),
    text,
    h("p", {}, h("button", { type: "submit" }, "Sign and record every visit")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const rows = parseVisitsCsv(text.value);
    if (rows.length === 0) {
      replace(ctx.results, notice("bad", "The CSV has no visit lines. Add one line per visit: the patient's wallet, then the visit time."));
      return;
    }
    if (rows.length > MAX_ROWS) {
      replace(ctx.results, notice("bad", `The CSV has ${rows.length} visits; record at most ${MAX_ROWS} at a time.`));
      return;
    }
    void attestAll(ctx, rows, form);
  });
  return form;
}

async function attestAll(ctx: Ctx, rows: VisitRow[], form: HTMLFormElement): Promise<void> {
  const button = form.querySelector("button");
  button?.setAttribute("disabled", "");
  try {
    await attestRows(ctx, rows);
  } finally {
    button?.removeAttribute("disabled");
  }
}

async function attestRows(ctx: Ctx, rows: VisitRow[]): Promise<void> {
  const progress = h("progress", { max: rows.length, value: 0, id: "progress" });
  const progressText = h("span", { id: "progress-text" }, `0 of ${rows.length} done`);
  const body = h("tbody", {});
  const summary = h("div", { id: "summary", "aria-live": "polite" });
  replace(ctx.sheets); // the invitations of this run only
  replace(ctx.results,
    h("h2", {}, "Results"),
    h("div", { class: "row" }, progress, progressText),
    summary,
    h("div", { class: "table-scroll" },
      h("table", { class: "plain results", id: "results-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "Line"), h("th", {}, "Patient"), h("th", {}, "Visit"), h("th", {}, "Result"))),
        body)));
  // This browser's visit-signing key, if the practice made one: no wallet prompt.
  const local = localVisitKey(ctx.practice, ctx.eip712);
  let sign: Signer;
  if (local) sign = (message) => signVisitLocally(local, ctx.eip712, { ...message });
  else try {
    const wallet = await practiceWallet(ctx.practice);
    await switchChain(wallet.provider, ctx.chain.chainId, ctx.chain.rpcUrl ?? null);
    sign = (message) => call<string>(wallet.provider, "eth_signTypedData_v4",
      [wallet.account, JSON.stringify({ domain: ctx.eip712.domain, types: ctx.eip712.types, primaryType: "Visit", message })]);
  } catch (error) {
    const sentence = error instanceof WrongWallet
      ? `Your wallet is not on the practice's account. Switch it to ${ctx.practice.address}, then try again.`
      : explainWallet(error);
    replace(summary, notice("bad", sentence));
    return;
  }
  let recorded = 0;
  let done = 0;
  for (const row of rows) {
    const cell = h("td", {}, "Signing…");
    body.append(h("tr", { "data-line": row.line },
      h("td", {}, String(row.line)),
      h("td", { class: "mono", title: row.patient }, row.patient.length > 14 ? shortAddress(row.patient) : row.patient || "—"),
      h("td", {}, row.visitedAt === null ? "—" : date(row.visitedAt)),
      cell));
    const outcome = await attestOne(ctx, sign, row);
    if (typeof outcome === "string") {
      replace(cell, h("span", { class: "bad-text" }, outcome));
    } else {
      recorded += 1;
      const link = inviteUrl(outcome.visitId);
      replace(cell, h("span", { class: "ok-text" }, "Recorded. "), h("a", { href: link, class: "invite-link" }, "Invitation link"));
      ctx.sheets.append(sheet(ctx, outcome, link));
    }
    done += 1;
    progress.value = done;
    progressText.textContent = `${done} of ${rows.length} done`;
    if (outcome === DECLINED) break;
  }
  const failed = done - recorded;
  replace(summary, notice(failed ? "warn" : "ok",
    `${recorded} visit${recorded === 1 ? "" : "s"} recorded`,
    failed ? `, ${failed} not recorded (see each line's reason).` : ".",
    recorded ? " Hand each patient their invitation below, or print them all. " : "",
    recorded ? h("button", { type: "button", class: "secondary", id: "print", onclick: () => window.print() }, "Print invitations") : ""));
}

const DECLINED = "You declined the signature in your wallet, so this visit and the ones after it were not recorded.";

type Signer = (message: VisitMessage) => Promise<string>;

async function attestOne(ctx: Ctx, sign: Signer, row: VisitRow): Promise<VisitMessage | string> {
  if (row.problem !== null || row.visitedAt === null) return row.problem ?? "The visit time is missing.";
  if (row.visitedAt > Date.now() / 1000 + 60) return "The visit time is in the future; a visit is recorded once it has happened.";
  const message: VisitMessage = {
    visitId: randomVisitId(),
    patient: getAddress(row.patient),
    dentist: getAddress(ctx.practice.address),
    visitedAt: row.visitedAt,
  };
  let signature: string;
  try {
    signature = await sign(message);
  } catch (error) {
    const code = (error as { code?: number }).code;
    return code === 4001 ? DECLINED : explainWallet(error);
  }
  try {
    await practiceApi.postVisit(message, signature);
  } catch (error) {
    return error instanceof ApiError ? explain(error) : "The visit could not be sent. Check your connection and try again.";
  }
  return message;
}

function sheet(ctx: Ctx, visit: VisitMessage, link: string): HTMLElement {
  const name = ctx.practice.name || "your dentist";
  const reward = `${tokenAmount(ctx.chain.rewardAmount, ctx.chain.tokenDecimals ?? 18)} ${ctx.chain.tokenSymbol ?? "tokens"}`;
  return h("article", { class: "card sheet", "data-visit": visit.visitId },
    h("div", { class: "sheet-qr" }, qrSvg(link, `QR code of the invitation link for the visit on ${date(visit.visitedAt)}`)),
    h("div", { class: "sheet-text" },
      h("h2", {}, `How was your visit to ${name}?`),
      h("p", {}, `Visit on ${date(visit.visitedAt)}. Scan the code, or open the link, and review your visit with your wallet `,
        h("span", { class: "mono" }, shortAddress(visit.patient)), "."),
      h("p", {}, `You receive ${reward} for your review, the same whatever rating you give. Be honest: every review is published and anyone can verify it.`),
      h("p", { class: "mono sheet-link" }, h("a", { href: link }, link)),
      h("p", { class: "muted no-print" },
        h("button", { type: "button", class: "secondary", onclick: () => printOne(visit.visitId) }, "Print this invitation"))));
}

function printOne(visitId: string): void {
  document.body.setAttribute("data-print-one", visitId);
  for (const el of document.querySelectorAll<HTMLElement>(".sheet")) {
    el.classList.toggle("print-skip", el.dataset.visit !== visitId);
  }
  window.print();
  for (const el of document.querySelectorAll<HTMLElement>(".sheet")) el.classList.remove("print-skip");
  document.body.removeAttribute("data-print-one");
}
