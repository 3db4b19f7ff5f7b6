// The visits CSV a practice uploads: one visit per line, `patient wallet, visit time`.
// A header line is optional; the time is unix seconds or an ISO 8601 date (and time).

export interface VisitRow {
  line: number;
  patient: string;
  visitedAt: number | null; // null when the time could not be read
  problem: string | null;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
export const MAX_ROWS = 500;

export function parseTime(text: string): number | null {
  const value = text.trim();
  if (/^\d{9,11}$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return null;
  const millis = Date.parse(value.replace(" ", "T"));
  return Number.isNaN(millis) ? null : Math.floor(millis / 1000);
}

export function parseVisitsCsv(text: string): VisitRow[] {
  const rows: VisitRow[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const cells = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"|"$/g, ""));
    if (rows.length === 0 && !cells[0].startsWith("0x") && /patient|wallet|address/i.test(cells[0])) return; // header
    const [patient = "", time = ""] = cells;
    const visitedAt = parseTime(time);
    let problem: string | null = null;
    if (!ADDRESS.test(patient)) problem = "The patient's wallet is not a 0x address of 40 hex digits.";
    else if (visitedAt === null) problem = "The visit time is not a date (2026-11-23 or 2026-11-23T09:30) or unix seconds.";
    rows.push({ line: index + 1, patient, visitedAt, problem });
  });
  return rows;
}
