import type { JiraIssue } from './schemas.js';

// JQL dates are read in the API user's time zone; a relative "-Nm" is not, so the cursor is sent that way, with a
// few minutes of overlap (re-reading an issue is harmless: rows are upserted).
export const OVERLAP_MINUTES = 5;
export const PAGE = 100;

export function incrementalJql(
  projects: string[],
  since: Date,
  now: Date,
  extra?: string,
  overlapMinutes = OVERLAP_MINUTES,
): string {
  const minutes = Math.max(1, Math.ceil((now.getTime() - since.getTime()) / 60_000) + overlapMinutes);
  const filter = `project in (${projects.map((p) => `"${p}"`).join(', ')}) AND updated >= "-${minutes}m"`;
  // The key breaks ties: issues sharing an update time have no fixed order otherwise.
  return `${extra ? `${filter} AND (${extra})` : filter} ORDER BY updated ASC, key ASC`;
}

export const updatedOf = (raw: unknown) =>
  Date.parse(String((raw as { fields?: { updated?: unknown } }).fields?.updated));

/** How often a search that does not reach back is asked again wider (the lag then covers about three weeks). */
const MAX_WIDENINGS = 14;

/**
 * Where each page of a pass comes from. Following `nextPageToken` alone walks positions in a result that moves while
 * it is read (an issue updated mid-pass jumps to the end, a deleted one drops out), so an issue can slide past a page
 * boundary unread, for good once the cursor is beyond it. So each page is a new search from the newest update read
 * so far. A search's "-Nm" is counted on our clock and applied on Jira's, so each one (the pass's first too, when
 * it starts at a cursor, whose own issue it reads again) must be seen to reach back to where it starts; when it
 * does not, our clock is behind Jira's: the lag learned is doubled and the search asked again. The token is
 * followed where a new search would bring back mostly issues already read (more than half a page updated within
 * two minutes, as after a bulk change) and after a search that brought nothing new, so every step reads something
 * new or moves down the result.
 */
export class IssuePager {
  /** Each issue read in this pass, with its update time as read (ms). */
  private readonly seen = new Map<string, number>();
  private from: Date;
  private overlap = OVERLAP_MINUTES;
  /** Minutes our clock was seen to be behind Jira's (at most): added to every window. */
  private lag = 0;
  private widenings = 0;
  /** Whether the current search must show that it reaches back to `from`. */
  private checked: boolean;
  private token: string | undefined;
  private jql = '';
  private previousPage: number[] = [];
  /** Pages read by token since the last search: positional, so checked for issues they slid past once they end. */
  private stretch: Stretch | undefined;
  private ended: Stretch | undefined;

  constructor(
    private readonly projects: string[],
    since: Date,
    private readonly now: () => Date,
    private readonly extra?: string,
    /** Whether `since` is a cursor (an issue was stored with that update time), so the first search can be checked. */
    fromCursor = false,
  ) {
    this.from = since;
    this.checked = fromCursor;
  }

  /** The next request; call again for each retry (a new search is counted from the moment it is sent). */
  request(): { jql: string; nextPageToken?: string } {
    if (!this.token) this.jql = this.windowFrom(this.from, this.overlap);
    return { jql: this.jql, ...(this.token ? { nextPageToken: this.token } : {}) };
  }

  /** A search from `from` with `overlap` minutes and the lag learned. */
  windowFrom(from: Date, overlap = OVERLAP_MINUTES): string {
    return incrementalJql(this.projects, from, this.now(), this.extra, overlap + this.lag);
  }

  /** False when the search started after the newest update read (our clock behind Jira's): it is asked again wider. */
  reachesBack(raws: unknown[]): boolean {
    if (this.token || !this.checked) return true;
    return reaches(raws, this.from) || !this.widen();
  }

  /**
   * Doubles the lag; false once it is as wide as it gets (the newest issue read may be gone or changed, so nothing
   * is left to show the window reaches back: that window is taken as it is).
   */
  widen(): boolean {
    if (this.widenings >= MAX_WIDENINGS) return false;
    this.widenings += 1;
    this.lag = this.lag * 2 + 2;
    return true;
  }

  /** Whether this issue, as read, was read already in this pass. */
  readBefore(key: string, updated: string): boolean {
    return this.seen.get(key) === Date.parse(updated);
  }

  /** Issues read outside the pass's own pages (by key). */
  remember(read: JiraIssue[]): void {
    for (const issue of read) this.seen.set(issue.key, Date.parse(issue.fields.updated));
  }

  /** After a page is stored: false when the pass is over. */
  next(read: JiraIssue[], nextPageToken: string | undefined): boolean {
    const brandNew = read.filter((i) => !this.readBefore(i.key, i.fields.updated)).length;
    for (const issue of read) this.seen.set(issue.key, Date.parse(issue.fields.updated));
    const times = read.map((i) => Date.parse(i.fields.updated));
    const recent = [...this.previousPage, ...times];
    this.previousPage = times;
    const newest = Math.max(...times);
    if (this.stretch && Number.isFinite(newest)) this.stretch.newest = Math.max(this.stretch.newest, newest);
    if (!nextPageToken) {
      this.endStretch();
      return false;
    }
    const overlapStart = newest - 2 * 60_000;
    const reread = recent.filter((t) => t >= overlapStart).length;
    if (!brandNew || !Number.isFinite(newest) || reread * 2 > read.length) {
      this.stretch ??= {
        from: this.from,
        newest: Number.isFinite(newest) ? newest : this.from.getTime(),
        checked: this.checked,
      };
      this.token = nextPageToken;
      return true;
    }
    this.endStretch();
    this.token = undefined;
    this.from = new Date(newest);
    // Within a pass the bound is a time Jira reported: a minute covers the rounding to whole minutes; a clock behind
    // Jira's by more is caught by reachesBack.
    this.overlap = 1;
    this.checked = true;
    return true;
  }

  private endStretch() {
    if (this.stretch) this.ended = this.stretch;
    this.stretch = undefined;
  }

  /** A stretch of token pages that just ended, to be checked for issues it slid past; the cursor stays before it. */
  endedStretch(): Stretch | undefined {
    return this.ended;
  }

  /** The ended stretch was checked: the cursor may move past it. */
  checkedStretch(): void {
    this.ended = undefined;
  }

  /** The cursor to keep: not past the start of a stretch not checked yet, so a crash reads it again. */
  cursor(newest: string | undefined): string | undefined {
    const open = this.stretch ?? this.ended;
    if (!open || !newest || Date.parse(newest) <= open.from.getTime()) return newest;
    return open.from.toISOString();
  }
}

export interface Stretch {
  /** Where the search whose token was followed started. */
  from: Date;
  /** The newest update read in the stretch. */
  newest: number;
  /** Whether an issue at `from` was read, so a listing from there must show it reaches back. */
  checked: boolean;
}

/** Whether a page holds an issue updated at or before `from`: a window started there on Jira's clock. */
export const reaches = (raws: unknown[], from: Date) => raws.some((raw) => updatedOf(raw) <= from.getTime());
