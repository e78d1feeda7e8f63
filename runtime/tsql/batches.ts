/**
 * Splits a script into batches the way sqlcmd does: a line holding only `GO` (any case, optional repeat
 * count `GO 3`, optional trailing `--` comment) ends a batch, unless it sits inside a string, a quoted
 * identifier or a block comment. Each batch keeps its first line so messages can name script lines.
 */

export interface Batch {
  /** The batch text, without the GO line. */
  readonly text: string;
  /** 1-based line of the script on which the batch starts. */
  readonly startLine: number;
  /** How many times to run it (`GO 3` → 3). */
  readonly repeat: number;
}

const GO_LINE = /^\s*go(?:\s+(\d+))?\s*(?:--.*)?$/i;

/** Lexical state carried across lines: inside a string, a [..] or ".." identifier, or block comments. */
interface ScanState { quote: '\'' | ']' | '"' | null; commentDepth: number }

function scanLine(line: string, st: ScanState): void {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (st.commentDepth > 0) {
      if (c === '/' && line[i + 1] === '*') { st.commentDepth++; i++; } else if (c === '*' && line[i + 1] === '/') { st.commentDepth--; i++; }
      continue;
    }
    if (st.quote !== null) {
      if (c === st.quote) {
        if (line[i + 1] === st.quote) i++;
        else st.quote = null;
      }
      continue;
    }
    if (c === '-' && line[i + 1] === '-') return;
    if (c === '/' && line[i + 1] === '*') { st.commentDepth = 1; i++; continue; }
    if (c === '\'') st.quote = '\'';
    else if (c === '[') st.quote = ']';
    else if (c === '"') st.quote = '"';
  }
}

/**
 * Splits `script` into batches. Empty batches (only whitespace and comments count as non-empty: SQL
 * Server compiles them to nothing) are kept out; `GO 0` runs nothing.
 */
export function splitBatches(script: string): Batch[] {
  const lines = script.replace(/\r\n?/g, '\n').split('\n');
  const batches: Batch[] = [];
  const st: ScanState = { quote: null, commentDepth: 0 };
  let current: string[] = [];
  let startLine = 1;
  const flush = (repeat: number, nextStart: number) => {
    const text = current.join('\n');
    if (text.trim() !== '') batches.push({ text, startLine, repeat });
    current = [];
    startLine = nextStart;
  };
  lines.forEach((line, idx) => {
    if (st.quote === null && st.commentDepth === 0) {
      const m = GO_LINE.exec(line);
      if (m) { flush(m[1] === undefined ? 1 : Number(m[1]), idx + 2); return; }
    }
    scanLine(line, st);
    current.push(line);
  });
  flush(1, lines.length + 1);
  return batches;
}

/**
 * Interactive input: true when `line` is a batch terminator (so the prompt runs what it holds), with the
 * repeat count. Used by `scaleout sql` in prompt mode, where lines arrive one at a time.
 */
export function goLine(line: string): { repeat: number } | null {
  const m = GO_LINE.exec(line);
  return m ? { repeat: m[1] === undefined ? 1 : Number(m[1]) } : null;
}

/** True when the text typed so far ends inside a string or block comment (a GO there is text). */
export function endsInsideLiteral(text: string): boolean {
  const st: ScanState = { quote: null, commentDepth: 0 };
  for (const line of text.split('\n')) scanLine(line, st);
  return st.quote !== null || st.commentDepth > 0;
}
