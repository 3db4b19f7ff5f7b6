// Queue health: what waits to be anchored, what failed, the last anchor, the fees paid.
import { formatEther, formatGwei } from "viem";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { notice } from "../signin";
import { operatorApi, QueueHealth } from "./api";

function figure(id: string, label: string, value: string, note?: string): HTMLElement {
  return h("div", { class: "figure", "data-figure": id },
    h("div", { class: "figure-label" }, label),
    h("div", { class: "figure-value" }, value),
    note ? h("div", { class: "muted figure-note" }, note) : null);
}

function when(unix: number): string {
  return new Date(unix * 1000).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
}

/** Fees for reading: gwei below 0.001 ETH, else ETH (the exact wei are shown below). */
export function feeText(wei: bigint): string {
  const round = (text: string, digits: number) =>
    Number(text).toLocaleString("en-GB", { maximumFractionDigits: digits });
  if (wei === 0n) return "0 ETH";
  if (wei < 10n ** 15n) return `${round(formatGwei(wei), 2)} gwei`;
  return `${round(formatEther(wei), 6)} ETH`;
}

function figures(q: QueueHealth): HTMLElement[] {
  const last = q.lastAnchor;
  return [
    figure("pending", "Pending", String(q.pending + q.inFlight), `${q.pending} to send, ${q.inFlight} sent and awaiting a receipt`),
    figure("waiting", "Waiting (backoff)", String(q.waiting), "retried later, after a refusal or an outage"),
    figure("failed", "Failed", String(q.failed), "can never be anchored; they stay published (see dentareview audit)"),
    figure("not-final", "Not final yet", String(q.notFinal), "anchored, awaiting finality"),
    figure("last-anchor", "Last anchor", last ? `block ${last.blockNumber}` : "none yet", last ? when(last.anchoredAt) : undefined),
    figure("fees", "Fees paid", feeText(BigInt(q.feesWei)),
      `gas used × effective gas price over ${q.feeTransactions} mined transaction(s)`
      + (q.uncountedTransactions ? `; ${q.uncountedTransactions} more not counted yet (their receipts could not be read)` : "")),
  ];
}

export async function queueSection(): Promise<HTMLElement> {
  const body = h("div", {});
  const refresh = h("button", { type: "button", class: "secondary" }, "Refresh");
  const section = h("section", { id: "queue", "aria-labelledby": "queue-h" },
    h("div", { class: "row", style: "justify-content:space-between" }, h("h2", { id: "queue-h" }, "Queue health"), refresh),
    body);
  const load = async () => {
    refresh.disabled = true;
    try {
      const q = await operatorApi.queue();
      replace(body,
        q.problem ? notice("warn", `The relay is waiting: ${q.problem}`) : null,
        h("div", { class: "figures", "aria-label": "Queue figures" }, figures(q)),
        q.lastAnchor ? h("p", { class: "muted mono" }, `Last anchor transaction ${q.lastAnchor.txHash}`) : null,
        h("p", { class: "muted", "data-wei": q.feesWei }, `Fees paid, exactly: ${q.feesWei} wei (${formatEther(BigInt(q.feesWei))} ETH).`));
    } catch (error) {
      replace(body, notice("bad", explain(error)));
    } finally {
      refresh.disabled = false;
    }
  };
  refresh.addEventListener("click", load);
  await load();
  return section;
}
