export interface ChunkOptions {
  size: number;
  overlap: number;
}
export const DEFAULT_CHUNKING: ChunkOptions = { size: 800, overlap: 100 };

export interface Chunk {
  ordinal: number;
  /** Where the chunk sits: "Title > Section > Subsection". */
  heading: string;
  content: string;
}

interface Section {
  path: string[];
  text: string;
}

/** A heading without its markup: code ticks, bold and emphasis go, underscores inside names (`max_retries`) stay. */
export const headingText = (title: string) =>
  title.replace(/[`*]/g, '').replace(/(^|[^\p{L}\p{N}_])_([^_]+)_(?![\p{L}\p{N}_])/gu, '$1$2');

/**
 * What a reader of rendered markdown never sees, outside code fences: HTML comments (`<!-- YAML added: v10.5.0 -->`
 * in the Node.js reference) and link reference definitions (`[foo]: other.md#foo`). Kept, they fill passages with
 * words that match questions the passage does not answer.
 */
export function withoutHiddenMarkdown(markdown: string): string {
  return markdown
    .split(/^(\s*(?:```|~~~)[^\n]*\n[\s\S]*?^\s*(?:```|~~~)\s*$)/m)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/<!--[\s\S]*?-->/g, '').replace(/^ {0,3}\[[^\]\n]+\]:[ \t]+\S.*$/gm, ''),
    )
    .join('');
}

/** Markdown split at its headings (outside code fences), each section remembering the headings above it. */
export function markdownSections(markdown: string): Section[] {
  const sections: Section[] = [];
  const stack: { level: number; title: string }[] = [];
  let lines: string[] = [];
  let fenced = false;
  const flush = () => {
    const text = lines.join('\n').trim();
    if (text) sections.push({ path: stack.map((h) => h.title), text });
    lines = [];
  };
  for (const line of withoutHiddenMarkdown(markdown).split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) {
      lines.push(line);
      continue;
    }
    flush();
    const level = (heading[1] as string).length;
    while (stack.length && (stack.at(-1)?.level ?? 0) >= level) stack.pop();
    stack.push({ level, title: headingText(heading[2] as string) });
  }
  flush();
  return sections;
}

/** A document cut into overlapping chunks of about `size` characters, each with its heading path. */
export async function chunkDocument(
  doc: { title: string; body: string; format: 'markdown' | 'text' },
  options: ChunkOptions = DEFAULT_CHUNKING,
): Promise<Chunk[]> {
  // Loaded when the first document is indexed (4 MB of heap that a bot without docs never needs).
  const { RecursiveCharacterTextSplitter } = await import('@langchain/textsplitters');
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: options.size, chunkOverlap: options.overlap });
  const sections = doc.format === 'markdown' ? markdownSections(doc.body) : [{ path: [], text: doc.body.trim() }];
  const chunks: Chunk[] = [];
  for (const section of sections) {
    const heading = [doc.title, ...section.path.filter((p) => p !== doc.title)].join(' > ');
    for (const content of await splitter.splitText(section.text)) {
      if (content.trim()) chunks.push({ ordinal: chunks.length, heading, content: content.trim() });
    }
  }
  return chunks;
}
