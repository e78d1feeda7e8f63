/**
 * Sends the data tap files an attempt wrote (`<task folder>/DataDumps/*`, see
 * executor/package/dataflow/data-taps.ts) to the master when the run ends, one
 * `PUT /agent/v1/data-taps/<TaskId>/<attempt>/<file>` each over mutual TLS, before the final status is
 * reported: when an execution shows as ended, its taps are on the master. Why upload instead of the
 * master fetching them: workers dial the master (none is reachable behind NAT), and a worker that went
 * away would take the files with it. Each file is bounded by `maxBytes`: a longer one is cut after its
 * last whole row within the bound (and the cut is reported). A failure is reported, never fatal.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import { join } from 'node:path';

/** Same bound as the master's `MAX_DATA_TAP_BYTES` (runtime/viewer/data-tap-files.ts). */
export const MAX_DATA_TAP_UPLOAD_BYTES = 64 * 1024 * 1024;

export interface DataTapUploadOutcome {
  readonly file: string;
  readonly bytes: number;
  /** True when the file was longer than the bound and only its first rows were sent. */
  readonly cut: boolean;
  readonly error?: string;
}

async function readBounded(path: string, maxBytes: number): Promise<{ bytes: Buffer; cut: boolean }> {
  const size = (await stat(path)).size;
  const fh = await open(path, 'r');
  try {
    const length = Math.min(size, maxBytes);
    const bytes = Buffer.alloc(length);
    await fh.read(bytes, 0, length, 0);
    if (size <= maxBytes) return { bytes, cut: false };
    const lastRowEnd = bytes.lastIndexOf(0x0a); // CSV rows end in CR LF; quoted fields may hold LF, so this is a bound, not a parser
    return { bytes: bytes.subarray(0, lastRowEnd < 0 ? 0 : lastRowEnd + 1), cut: true };
  } finally {
    await fh.close();
  }
}

function put(url: URL, tls: RequestOptions, body: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = httpsRequest(url, { ...tls, method: 'PUT', timeout: 60_000, headers: { 'content-type': 'text/csv', 'content-length': body.byteLength } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 204 || res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Uploads every file of `<workingDirectory>/DataDumps`; resolves with what happened to each. */
export async function uploadDataTaps(options: { endpoint: string; tls: RequestOptions; taskId: string; attempt: number; workingDirectory: string; maxBytes?: number }): Promise<DataTapUploadOutcome[]> {
  const folder = join(options.workingDirectory, 'DataDumps');
  const names = (await readdir(folder).catch(() => [] as string[])).sort();
  const out: DataTapUploadOutcome[] = [];
  for (const file of names) {
    try {
      const { bytes, cut } = await readBounded(join(folder, file), options.maxBytes ?? MAX_DATA_TAP_UPLOAD_BYTES);
      await put(new URL(`/agent/v1/data-taps/${options.taskId}/${options.attempt}/${encodeURIComponent(file)}`, options.endpoint), options.tls, bytes);
      out.push({ file, bytes: bytes.byteLength, cut });
    } catch (err) {
      out.push({ file, bytes: 0, cut: false, error: (err as Error).message });
    }
  }
  return out;
}
