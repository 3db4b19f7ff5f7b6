// The operator's page, behind an operator's Sign-In with Ethereum: flagged reviews and
// anomaly signals, dentists (registered through the admin wallet), queue health.
import "../moderation.css";
import { api, ApiError, ChainFacts, DirectoryPage } from "../api";
import { h, replace, setTitle } from "../dom";
import { explain } from "../errors";
import { shortAddress } from "../format";
import { operatorApi } from "../operator/api";
import { dentistSection } from "../operator/dentists";
import { flagSection } from "../operator/flags";
import { queueSection } from "../operator/queue";
import { signalSection } from "../operator/signals";
import { authApi, notice, showSignIn } from "../signin";
import { useMessages } from "../i18n";

const TITLE = "Operator";

export async function render(main: HTMLElement): Promise<void> {
  await useMessages("signin"); // the sign-in and wallet messages (signin.ts, wallet.ts)
  setTitle(TITLE);
  let me;
  try {
    me = await operatorApi.me();
  } catch (error) {
    await showSignIn(main, {
      title: TITLE,
      heading: "Sign in with an operator's wallet",
      explanation: "These pages are for the service's operators: the wallets listed in DENTAREVIEW_OPERATOR_ADDRESSES. "
        + "Signing in costs nothing: your wallet signs a short message (Sign-In with Ethereum) and no transaction is sent.",
      statement: "Sign in to DentaReview as an operator: moderate flags, register dentists, watch the queue.",
      noWallet: "No browser wallet was found. Open this page in a browser with an operator's wallet, then reload it.",
      refused: error instanceof ApiError && error.code !== "NOT_SIGNED_IN" ? error : undefined,
      onSignedIn: () => window.location.reload(),
    });
    return;
  }
  let chainFacts: Promise<ChainFacts> | null = null;
  const chain = () => (chainFacts ??= api.chain());
  let directory: DirectoryPage;
  try {
    directory = await api.directory("", 0, 100);
  } catch (error) {
    replace(main, h("h1", {}, TITLE), notice("bad", explain(error)));
    return;
  }
  const names = new Map(directory.items.map((d) => [d.address, d.name]));
  const flags = await flagSection(names);
  const [signals, queue, decisions] = await Promise.all([
    signalSection(directory.items, flags.reload), queueSection(), operatorApi.nameDecisions().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
  ]);
  replace(main,
    h("div", { class: "practice-bar row operator-bar" },
      h("div", { style: "flex:1 1 240px" }, h("strong", {}, "Operator"), " ",
        h("span", { class: "muted mono", title: me.address, id: "operator-address" }, shortAddress(me.address))),
      h("button", { type: "button", class: "secondary", id: "signout", onclick: async () => {
        await authApi.signOut().catch(() => null);
        window.location.assign("/operator");
      } }, "Sign out")),
    h("h1", {}, "Operator"),
    h("nav", { class: "row in-page", "aria-label": "Sections" },
      h("a", { href: "#flags" }, "Flagged reviews"),
      h("a", { href: "#signals" }, "Anomaly signals"),
      h("a", { href: "#dentists" }, "Dentists"),
      h("a", { href: "#queue" }, "Queue health")),
    flags.section,
    signals,
    dentistSection(directory.items, directory.total, chain, () => undefined, decisions),
    queue);
}
