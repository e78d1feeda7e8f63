/**
 * Writes settings files: sets keys in an existing file without disturbing any other byte (the new
 * element copies the file's indentation and line breaks), or creates a new file. Writes go to a
 * temporary file in the same folder that is then renamed over the target, so a crash leaves either
 * the old file or the new one, never half of one.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { SsoError } from '../actors/errors.ts';
import { parseSettingsText, readSettingsFile } from './settings-file.ts';
import type { SettingsDocument } from './settings-file.ts';
import { findDef } from './settings-resolver.ts';
import type { RawSettingsObject, SettingDef } from './settings-resolver.ts';

export function escapeXmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeXmlAttribute(value: string): string {
  return escapeXmlText(value).replace(/"/g, '&quot;');
}

function elementFor(doc: Pick<SettingsDocument, 'shape'>, key: string, value: string): string {
  return doc.shape === 'appSettings'
    ? `<add key="${escapeXmlAttribute(key)}" value="${escapeXmlAttribute(value)}" />`
    : `<${key}>${escapeXmlText(value)}</${key}>`;
}

/**
 * The document's text with `changes` applied: an existing key (any spelling in `spellings`)
 * is replaced in place; a missing one is added before the container's closing tag.
 * `spellings` maps a key to every name it may have in the file (default: itself).
 */
export function applySettingsChanges(
  doc: SettingsDocument,
  changes: ReadonlyArray<readonly [key: string, value: string]>,
  spellings: (key: string) => readonly string[] = (k) => [k],
): string {
  const edits: { start: number; end: number; text: string }[] = [];
  const additions: string[] = [];
  for (const [key, value] of changes) {
    const names = spellings(key).map((n) => n.toLowerCase());
    const existing = doc.entries.find((e) => names.includes(e.key.toLowerCase()));
    if (existing) edits.push({ start: existing.start, end: existing.end, text: elementFor(doc, existing.key, value) });
    else additions.push(elementFor(doc, key, value));
  }
  const { text, newline, indent } = doc;
  if (additions.length > 0) {
    const at = doc.insertAt;
    if (doc.containerSelfClosing) {
      // `<WorkerSettings/>` → `<WorkerSettings>` + entries + `</WorkerSettings>`.
      const lineStart = text.lastIndexOf('\n', at) + 1;
      const outer = /^[ \t]*/.exec(text.slice(lineStart))![0];
      edits.push({ start: at, end: at + 2, text: `>${additions.map((a) => `${newline}${indent}${a}`).join('')}${newline}${outer}</${doc.containerName}>` });
    } else {
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      if (/^[ \t]*$/.test(text.slice(lineStart, at))) {
        // The closing tag is on a line of its own: add whole lines above it.
        edits.push({ start: lineStart, end: lineStart, text: additions.map((a) => `${indent}${a}${newline}`).join('') });
      } else {
        edits.push({ start: at, end: at, text: `${additions.map((a) => `${newline}${indent}${a}`).join('')}${newline}` });
      }
    }
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return (doc.bom ? '\ufeff' : '') + out;
}

/** The text of a new settings file with one element per key, in the order given. */
export function createSettingsText(rootName: string, entries: ReadonlyArray<readonly [key: string, value: string]>): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', `<${rootName}>`];
  for (const [key, value] of entries) lines.push(`  <${key}>${escapeXmlText(value)}</${key}>`);
  lines.push(`</${rootName}>`, '');
  return lines.join('\n');
}

/**
 * Replaces `path` with `text` atomically (temporary file + rename in the same folder), keeping
 * the old file's mode. @throws SsoError SSO_ERR_CONFIG_IO naming the file.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    let fileMode = mode;
    try { fileMode = statSync(path).mode & 0o7777; } catch { /* new file */ }
    writeFileSync(tmp, text, { encoding: 'utf8', mode: fileMode, flag: 'wx' });
    chmodSync(tmp, fileMode);
    renameSync(tmp, path);
  } catch (cause) {
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw new SsoError('SSO_ERR_CONFIG_IO', `cannot write settings file ${path}: ${(cause as Error).message}`, { where: path, cause });
  }
}

/**
 * Shared by both writers: apply `partial`, re-read the would-be text to validate it, then write. Nothing is
 * written when the result would not load.
 */
export function writeSettings(
  path: string, partial: RawSettingsObject, defs: readonly SettingDef[], rootName: string,
  validate: (doc: ReturnType<typeof parseSettingsText>) => unknown,
): void {
  const changes: [string, string][] = [];
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    const def = findDef(defs, key);
    if (!def) throw new SsoError('SSO_ERR_CONFIG_INVALID', `${path}: cannot write unknown key ${key}`, { where: path });
    changes.push([def.key, String(value)]);
  }
  const spellings = (key: string) => { const d = findDef(defs, key); return d ? [d.key, ...(d.aliases ?? [])] : [key]; };
  const text = existsSync(path)
    ? applySettingsChanges(readSettingsFile(path, rootName), changes, spellings)
    : createSettingsText(rootName, changes);
  validate(parseSettingsText(text, path, rootName));
  writeFileAtomic(path, text);
}
