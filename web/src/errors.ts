// Every API error code as a sentence that says what to do, in the reader's language
// (i18n/locales/<lang>/errors.json, loaded by the router). Codes are stable; messages
// from the service add detail but are not shown alone.
import { ApiError } from "./api";
import { lookup, t } from "./i18n";

export function explain(error: unknown): string {
  if (error instanceof ApiError) {
    return lookup("errors", error.code) ?? t("errors.refused", { code: error.code, message: error.message });
  }
  return t("errors.unexpected");
}
