import type { ImageBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';

/**
 * Uploads a PNG with Slack's external upload flow (getUploadURLExternal → POST bytes → completeUploadExternal),
 * without sharing it anywhere: image blocks then show it through `slack_file`, so no public image host is needed.
 */
export async function uploadPng(client: WebClient, png: Buffer, filename: string, title: string): Promise<string> {
  const { upload_url: url, file_id: id } = await client.files.getUploadURLExternal({ filename, length: png.length });
  if (!url || !id) throw new Error('Slack gave no upload URL');
  const response = await fetch(url, {
    method: 'POST',
    body: new Uint8Array(png),
    headers: { 'content-type': 'image/png' },
  });
  if (!response.ok) throw new Error(`upload failed with ${response.status}`);
  await client.files.completeUploadExternal({ files: [{ id, title }] });
  return id;
}

/** An image block showing an uploaded file. */
export function fileImageBlock(fileId: string, altText: string): ImageBlock {
  return { type: 'image', slack_file: { id: fileId }, alt_text: altText.slice(0, 2000) };
}
