// Dentists: register or deactivate through the registry's admin wallet in the browser
// (then the service records it after reading the chain), or with the CLI command shown.
import { BaseError, getAddress, isAddress, UserRejectedRequestError } from "viem";
import { ApiError, ChainFacts, DirectoryEntry } from "../api";
import { h, replace } from "../dom";
import { explain } from "../errors";
import { date, shortAddress } from "../format";
import { notice } from "../signin";
import { explainWallet, WalletError } from "../wallet";
import { AdminRefusal, adminWrite } from "./admin";
import { NameDecision, operatorApi } from "./api";

const quote = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;

export function addCommand(address: string, name: string): string {
  return `dentareview dentist add ${address || "0x…"} --name ${quote(name || "Practice name")}`;
}

export function deactivateCommand(address: string): string {
  return `dentareview dentist deactivate ${address}`;
}

export function renameCommand(address: string, name: string, reason: string): string {
  return `dentareview dentist rename ${address} ${quote(name || "New name")} --reason ${quote(reason || "Why")}`;
}

/** A command in a box with a Copy button (the text stays selectable when copying fails). */
export function copyable(command: string, id?: string): HTMLElement {
  const code = h("code", { class: "mono", id: id ?? null }, command);
  const copy = h("button", { type: "button", class: "secondary small-button" }, "Copy");
  const said = h("span", { class: "muted", "aria-live": "polite" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.textContent ?? "");
      said.textContent = "Copied.";
    } catch {
      window.getSelection()?.selectAllChildren(code);
      said.textContent = "Selected: press Ctrl+C (or \u2318C) to copy.";
    }
  });
  return h("div", { class: "cli" }, code, h("div", { class: "row" }, copy, said));
}

/** Any failure of the admin flow, in words. */
export function explainAdmin(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "VALIDATION_ERROR" && error.field === "name") return "Give the practice a name of 1 to 200 characters, without control characters.";
    if (error.code === "VALIDATION_ERROR" && error.field === "reason") return "Give the reason for the name change in plain words (at most 500 characters).";
    if (error.code === "VALIDATION_ERROR") return "The dentist's wallet address is not valid. Check it: 0x followed by 40 hexadecimal characters.";
    return explain(error);
  }
  if (error instanceof AdminRefusal) return error.message;
  if (error instanceof WalletError) return explainWallet(error);
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof UserRejectedRequestError)) {
      return "You declined the transaction in your wallet. Nothing was sent or recorded; try again when you are ready.";
    }
    return `Your wallet or the blockchain refused the transaction: ${error.shortMessage} Nothing was recorded.`;
  }
  return explainWallet(error);
}

function registerForm(chain: () => Promise<ChainFacts>, onChanged: () => void): HTMLElement {
  const address = h("input", { type: "text", id: "new-dentist-address", name: "address", autocomplete: "off", spellcheck: "false", placeholder: "0x…", inputmode: "text" });
  const name = h("input", { type: "text", id: "new-dentist-name", name: "name", maxlength: 200, autocomplete: "off" });
  const command = copyable(addCommand("", ""), "add-command");
  const status = h("div", { id: "register-status", "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Register with the admin wallet");
  const update = () => {
    const code = command.querySelector("code");
    if (code) code.textContent = addCommand(address.value.trim(), name.value.trim());
  };
  address.addEventListener("input", update);
  name.addEventListener("input", update);
  const form = h("form", { id: "register-dentist", class: "card" },
    h("h3", { style: "margin-top:0" }, "Register a dentist"),
    h("div", {}, h("label", { for: "new-dentist-address" }, "Dentist's wallet address"), address),
    h("div", {}, h("label", { for: "new-dentist-name" }, "Practice or dentist name"), name),
    h("p", { class: "muted" }, "Your wallet sends the registry's registerDentist transaction (it must hold the registry's admin role). The service then reads the registry itself and records the dentist only if the chain shows them active."),
    h("div", { class: "row" }, submit),
    status,
    h("p", { class: "muted" }, "Or run this on the server, with the admin key configured:"),
    command);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const wanted = address.value.trim();
    const practice = name.value.trim();
    if (!isAddress(wanted, { strict: false })) {
      replace(status, notice("bad", "The dentist's wallet address is not valid. Check it: 0x followed by 40 hexadecimal characters."));
      return;
    }
    if (!practice) {
      replace(status, notice("bad", "Give the practice a name, as patients will see it."));
      return;
    }
    submit.disabled = true;
    const step = (text: string) => replace(status, h("p", { class: "muted" }, text));
    try {
      step("Connecting to your wallet…");
      const hash = await adminWrite("registerDentist", wanted, await chain(), step);
      step("Recording the dentist with the service…");
      const done = await operatorApi.recordDentist(getAddress(wanted), practice);
      replace(status, notice("ok",
        `${done.name} (${done.address}) is registered and active`,
        hash ? ` (transaction ${hash}).` : " (the registry already showed it active; no transaction was needed)."));
      onChanged();
    } catch (error) {
      replace(status, notice("bad", explainAdmin(error)));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** Rename a practice: the service records who (this operator), when, old, new and why. */
function renameForm(d: DirectoryEntry, onChanged: () => void): HTMLElement {
  const id = `rename-${d.address}`;
  const name = h("input", { type: "text", id: `${id}-name`, name: "name", maxlength: 200, autocomplete: "off", value: d.name });
  const reason = h("input", { type: "text", id: `${id}-reason`, name: "reason", maxlength: 500, autocomplete: "off" });
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "secondary" }, "Record the new name");
  const command = copyable(renameCommand(d.address, "", ""));
  const update = () => {
    const code = command.querySelector("code");
    if (code) code.textContent = renameCommand(d.address, name.value.trim(), reason.value.trim());
  };
  name.addEventListener("input", update);
  reason.addEventListener("input", update);
  const form = h("form", { class: "rename" },
    h("div", {}, h("label", { for: `${id}-name` }, "New name"), name),
    h("div", {}, h("label", { for: `${id}-reason` }, "Reason for the change (recorded with your wallet)"), reason),
    h("div", { class: "row" }, submit), status,
    h("p", { class: "muted" }, "Or on the server (recorded with the admin's account):"), command);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const done = await operatorApi.rename(d.address, name.value, reason.value);
      replace(status, notice("ok", `Renamed from ${done.oldName} to ${done.newName}; the decision is listed under Name changes.`));
      onChanged();
    } catch (error) {
      replace(status, notice("bad", explainAdmin(error)));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** Every recorded name change: who, when, old name, new name, why (or why they could
 * not be read). */
function nameChanges(decisions: NameDecision[] | Error): HTMLElement {
  return h("div", { id: "name-changes" },
    h("h3", {}, "Name changes"),
    decisions instanceof Error
      ? notice("bad", `The name changes could not be read: ${explain(decisions)}`)
      : decisions.length
      ? h("ul", { class: "card name-changes" }, decisions.map((c) =>
          h("li", { class: "name-change", "data-decision-id": c.id, "data-dentist": c.dentist },
            h("div", {}, h("s", { "data-old": "" }, c.oldName), " \u2192 ", h("strong", { "data-new": "" }, c.newName)),
            h("div", { class: "muted" },
              h("time", { datetime: new Date(c.decidedAt * 1000).toISOString(), title: new Date(c.decidedAt * 1000).toISOString() }, date(c.decidedAt)),
              " by ", h("span", { class: "mono", "data-by": "", title: c.decidedBy }, c.decidedBy),
              c.channel === "cli" ? " (command line)" : " (operator page)"),
            h("div", { "data-why": "" }, `Why: ${c.reason}`))))
      : h("p", { class: "muted" }, "No practice has been renamed."));
}

function dentistRow(d: DirectoryEntry, chain: () => Promise<ChainFacts>, onChanged: () => void): HTMLElement {
  const status = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "button", class: "secondary" }, "Deactivate with the admin wallet");
  button.addEventListener("click", async () => {
    button.disabled = true;
    const step = (text: string) => replace(status, h("p", { class: "muted" }, text));
    try {
      step("Connecting to your wallet…");
      const hash = await adminWrite("deactivateDentist", d.address, await chain(), step);
      step("Recording the deactivation with the service…");
      await operatorApi.recordDeactivation(d.address);
      replace(status, notice("ok", `${d.name} is deactivated: new visits are refused; its reviews stay valid`,
        hash ? ` (transaction ${hash}).` : "."));
      onChanged();
    } catch (error) {
      button.disabled = false;
      replace(status, notice("bad", explainAdmin(error)));
    }
  });
  return h("li", { class: "dentist", "data-dentist": d.address },
    h("div", { class: "row" },
      h("a", { href: `/dentists/${d.address}` }, h("strong", {}, d.name)),
      h("span", { class: "mono muted", title: d.address }, shortAddress(d.address)),
      d.active ? h("span", { class: "badge ok", "data-active": "true" }, "active")
        : h("span", { class: "badge", "data-active": "false" }, "deactivated"),
      h("span", { class: "muted" }, `${d.count} review(s)`)),
    h("details", {}, h("summary", {}, "Rename"), renameForm(d, onChanged)),
    d.active
      ? h("details", {}, h("summary", {}, "Deactivate"),
          h("p", { class: "muted" }, "New visits are refused; existing reviews stay valid and visible."),
          button, status, copyable(deactivateCommand(d.address)))
      : null);
}

export function dentistSection(
  dentists: DirectoryEntry[], total: number, chain: () => Promise<ChainFacts>, onChanged: () => void,
  decisions: NameDecision[] | Error = [],
): HTMLElement {
  return h("section", { id: "dentists", "aria-labelledby": "dentists-h" },
    h("h2", { id: "dentists-h" }, "Dentists"),
    registerForm(chain, onChanged),
    h("h3", {}, `Registered (${total})`),
    dentists.length
      ? h("ul", { class: "card dentist-list" }, dentists.map((d) => dentistRow(d, chain, onChanged)))
      : h("p", { class: "muted" }, "No dentist is registered yet."),
    total > dentists.length ? h("p", { class: "muted" }, `The first ${dentists.length} are shown; find others from the directory.`) : null,
    nameChanges(decisions));
}
