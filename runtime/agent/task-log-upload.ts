/**
 * Sends a finished attempt's task log to the master (`PUT /agent/v1/task-logs/<TaskId>/<attempt>`,
 * mutual TLS), so people read it in the viewer even when the worker is offline or deleted later.
 * Why upload instead of the master fetching on demand: workers dial the master (there is no path
 * from the master to a worker behind NAT or a firewall), and a log asked for after the worker went
 * away would be lost. The log is the task folder's files in order, from the attempt's first line,
 * at most `maxBytes` (the last part is kept). Failure is logged and never fails the task.
 */
import { readdir, readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import { join } from 'node:path';

export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;

export async function readTaskLogText(folder: string, maxBytes = MAX_UPLOAD_BYTES): Promise<string | null> {
  const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => n.endsWith('.log')).sort();
  if (names.length === 0) return null;
  const parts = await Promise.all(names.map((n) => readFile(join(folder, n))));
  let all = Buffer.concat(parts);
  if (all.byteLength > maxBytes) all = Buffer.concat([Buffer.from(`[… first ${all.byteLength - maxBytes} bytes left out …]\n`), all.subarray(all.byteLength - maxBytes)]);
  return all.toString('utf8');
}

/**
 * Uploads the log of one attempt: the task folder's text from the attempt's first line (the agent's
 * `startMarker` audit line) on; earlier attempts of the task were uploaded when they ended.
 */
export async function uploadTaskLog(options: { endpoint: string; tls: RequestOptions; taskId: string; attempt: number; folder: string; startMarker?: string }): Promise<void> {
  const all = await readTaskLogText(options.folder);
  if (all === null) return;
  const at = options.startMarker ? all.lastIndexOf(options.startMarker) : -1;
  const lineStart = at < 0 ? 0 : all.lastIndexOf('\n', at) + 1;
  const text = all.slice(lineStart);
  const url = new URL(`/agent/v1/task-logs/${options.taskId}/${options.attempt}`, options.endpoint);
  await new Promise<void>((resolve, reject) => {
    const req = httpsRequest(url, { ...options.tls, method: 'PUT', timeout: 30_000, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 204 || res.statusCode === 200 ? resolve() : reject(new Error(`task log upload ${url.pathname}: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`task log upload ${url.pathname} timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}
