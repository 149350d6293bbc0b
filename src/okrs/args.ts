// `/em okr [team] [quarter]`: the parser of its arguments (pure) and its help line.
const QUARTER_WORD = /^(?:FY)?\d{4}[-]?Q[1-4]$|^Q[1-4](?:[-](?:FY)?\d{4})?$/i;
const YEAR = /^(?:FY)?\d{4}$/i;

export const OKR_HELP = {
  name: 'okr',
  usage: 'okr [team] [quarter]',
  summary: "OKRs: key results' progress against the expected, check-ins, burn-up, unmapped work (quarter e.g. 2026Q4)",
} as const;

export type OkrCommand = { team?: string; quarter?: string };

/** The quarter is any word that looks like one (`2026Q4`, `Q4`, `Q4 2026`); the other words name the team. */
export function parseOkrArgs(words: string[]): { ok: true; command: OkrCommand } | { ok: false; message: string } {
  let quarter: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (QUARTER_WORD.test(word)) {
      if (quarter) return { ok: false, message: 'name one quarter, e.g. `/em okr payments 2026Q4`' };
      // "Q4 2026": the year is the next word.
      const next = words[i + 1];
      quarter = /^Q[1-4]$/i.test(word) && next && YEAR.test(next) ? `${word} ${words[++i]}` : word;
    } else if (/^Q\d+$/i.test(word) || /^\d{4}-?Q\d+$/i.test(word)) {
      return { ok: false, message: `${word} is not a quarter: a quarter is Q1 to Q4, e.g. \`2026Q4\`` };
    } else rest.push(word);
  }
  const team = rest.join(' ').trim().slice(0, 80);
  return { ok: true, command: { ...(team ? { team } : {}), ...(quarter ? { quarter } : {}) } };
}
