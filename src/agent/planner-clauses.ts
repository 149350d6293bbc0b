// How a request is split into its intents, and how a request to message someone opens (politeness, then the verb).

/** Greetings and politeness before the verb of a request. */
export const POLITE_START = String.raw`^(?:(?:hey|hi|hello|yo|ok|okay)\b[\s,!]*)?(?:(?:please|pls|plz|kindly|quickly|just|go)\s+)*(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+|pls\s+)?)?`;
/** Verbs of sending someone a message. */
export const MESSAGING = 'nudge|ping|remind|dm|message|msg|tell|poke|send|chase|hit up|reach out to|follow up with';

/** Splits a request into its intents: "sprint health and stale PRs", "dora; also incidents". */
export function clauses(text: string): string[] {
  // "checklist: 1) open signals 2) pending approvals": each numbered item is a part of its own.
  // Its heading ("rel mgr checklist:") is a title, not a part.
  const listed = /(?:^|[\s:])1[).]\s/.test(text)
    ? text.replace(/^[^:?!.;]{0,60}:\s*(?=1[).]\s)/, '').replace(/(?:^|(?<=[\s:]))\d{1,2}[).]\s+/g, '; ')
    : text;
  return (
    listed
      .split(
        /\s*(?:[;?!]|,|\.\s|\band also\b|\balso\b|\bplus\b|\bas well as\b|\balong with\b|\btogether with\b|\bfollowed by\b|&|\s\+\s|\+|\band\b|\bthen\b)\s*/i,
      )
      // "Before I sign off on the release: re-run the rules": the occasion before the colon asks for nothing.
      .map((c) => c.trim().replace(/^(?:before|after|while|once)\s+(?:i|we)\b[^:]{0,80}:\s*/i, ''))
      .filter((c) => c.length > 0)
  );
}
