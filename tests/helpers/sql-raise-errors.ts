/**
 * Find the errors a piece of SQL or PL/pgSQL can raise: every `raise_error(kind, code, message)`
 * call with its kind and code, and every bare `raise exception` (an error that bypasses
 * raise_error). A small tokenizer, not a regular expression: comments are skipped, string
 * literals (standard, E'', dollar-quoted) are read whole, so a call split over lines, with
 * comments or parentheses inside its message, or with named arguments is still read right, and a
 * mention of raise_error that is not a plain call (inside a string, as a value, with a computed
 * kind or code) is reported as a problem instead of being missed.
 */

export interface RaiseErrorCall {
  /** The kind, when it is a literal (`'not_found'` or `'not_found'::social_private.error_kind`). */
  kind: string | null;
  /** The code, when it is a string literal. */
  code: string | null;
  /** The call as written, whitespace collapsed (for messages). */
  text: string;
}

export interface RaisedErrors {
  calls: RaiseErrorCall[];
  /** Bare `raise exception|sqlstate|using|'...'|<condition>` statements, as written. */
  bareRaises: string[];
  /** Mentions of raise_error that are not a call this module can read. */
  problems: string[];
}

type Token =
  | { type: "ident"; value: string; quoted: boolean }
  | { type: "string"; value: string }
  | { type: "punct"; value: string };

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

function tokenize(src: string, problems: string[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && src[i + 1] === "-") {
      while (i < n && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      // block comments nest in Postgres
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (src[i] === "/" && src[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (src[i] === "*" && src[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "'" || ((c === "E" || c === "e") && src[i + 1] === "'" && !IDENT_PART.test(src[i - 1] ?? " "))) {
      const escapes = c !== "'";
      i += escapes ? 2 : 1;
      let value = "";
      while (i < n) {
        const d = src[i]!;
        if (escapes && d === "\\") {
          value += src[i + 1] ?? "";
          i += 2;
        } else if (d === "'" && src[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ type: "string", value });
    } else if (c === "$" && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(src.slice(i))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(src.slice(i))![0];
      const end = src.indexOf(tag, i + tag.length);
      const stop = end === -1 ? n : end;
      tokens.push({ type: "string", value: src.slice(i + tag.length, stop) });
      i = end === -1 ? n : end + tag.length;
    } else if (c === '"') {
      let value = "";
      i++;
      while (i < n) {
        if (src[i] === '"' && src[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (src[i] === '"') {
          i++;
          break;
        } else value += src[i++];
      }
      tokens.push({ type: "ident", value, quoted: true });
    } else if (IDENT_START.test(c)) {
      let value = "";
      while (i < n && IDENT_PART.test(src[i]!)) value += src[i++];
      tokens.push({ type: "ident", value: value.toLowerCase(), quoted: false });
    } else if (/[0-9]/.test(c)) {
      while (i < n && /[0-9.eE]/.test(src[i]!)) i++;
      tokens.push({ type: "punct", value: "0" });
    } else {
      const two = src.slice(i, i + 2);
      if (two === "::" || two === "=>" || two === ":=") {
        tokens.push({ type: "punct", value: two });
        i += 2;
      } else {
        tokens.push({ type: "punct", value: c });
        i++;
      }
    }
  }
  for (const t of tokens) {
    if (t.type === "string" && /raise_error/i.test(t.value)) {
      problems.push(`raise_error inside a string literal (dynamic SQL is not checked): ${t.value.slice(0, 80)}`);
    }
  }
  return tokens;
}

function show(tokens: Token[]): string {
  return tokens
    .map((t) => (t.type === "string" ? `'${t.value.replaceAll("'", "''")}'` : t.value))
    .join(" ")
    .replace(/\s+/g, " ");
}

/** A literal argument: `'x'`, optionally cast (`'x'::social_private.error_kind`). */
function literal(arg: Token[]): string | null {
  const first = arg[0];
  if (first?.type !== "string") return null;
  if (arg.length === 1) return first.value;
  if (
    arg[1]?.type === "punct" &&
    arg[1].value === "::" &&
    arg.slice(2).every((t) => t.type === "ident" || t.value === ".")
  )
    return first.value;
  return null;
}

const LEVELS = new Set(["debug", "log", "info", "notice", "warning"]);
const PARAMS = ["p_kind", "p_code", "p_message"] as const;

/** The raise_error calls and bare raises of one function body, policy or view expression. */
export function findRaisedErrors(src: string): RaisedErrors {
  const problems: string[] = [];
  const tokens = tokenize(src, problems);
  const calls: RaiseErrorCall[] = [];
  const bareRaises: string[] = [];

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type !== "ident") continue;

    if (t.value === "raise_error") {
      const open = tokens[i + 1];
      if (open?.type !== "punct" || open.value !== "(") {
        problems.push(`raise_error is mentioned but not called: ${show(tokens.slice(Math.max(0, i - 3), i + 4))}`);
        continue;
      }
      // split the arguments at top-level commas
      const args: Token[][] = [[]];
      let depth = 0;
      let j = i + 2;
      for (; j < tokens.length; j++) {
        const u = tokens[j]!;
        if (u.type === "punct" && u.value === "(") depth++;
        if (u.type === "punct" && u.value === ")") {
          if (depth === 0) break;
          depth--;
        }
        if (depth === 0 && u.type === "punct" && u.value === ",") args.push([]);
        else args[args.length - 1]!.push(u);
      }
      const text = `raise_error(${show(tokens.slice(i + 2, j))})`;
      // positional or named (p_kind => ..., p_code := ...)
      const byName = new Map<string, Token[]>();
      let positional = 0;
      for (const arg of args) {
        const [name, arrow] = arg;
        if (name?.type === "ident" && arrow?.type === "punct" && (arrow.value === "=>" || arrow.value === ":=")) {
          byName.set(name.value, arg.slice(2));
        } else {
          byName.set(PARAMS[positional] ?? `extra${positional}`, arg);
          positional++;
        }
      }
      if (args.length !== 3 || !PARAMS.every((p) => byName.has(p))) {
        problems.push(`raise_error takes (kind, code, message): ${text}`);
      }
      const kind = literal(byName.get("p_kind") ?? []);
      const code = literal(byName.get("p_code") ?? []);
      if (kind === null) problems.push(`the kind is not a literal: ${text}`);
      if (code === null) problems.push(`the code is not a string literal: ${text}`);
      calls.push({ kind, code, text });
      i = j;
      continue;
    }

    if (t.value === "raise" && !t.quoted) {
      const next = tokens[i + 1];
      if (!next) continue;
      if (next.type === "punct" && next.value === ";") continue; // re-raise inside a handler
      if (next.type === "ident" && LEVELS.has(next.value)) continue; // a message, not an error
      let j = i + 1;
      while (j < tokens.length && !(tokens[j]!.type === "punct" && tokens[j]!.value === ";")) j++;
      bareRaises.push(`raise ${show(tokens.slice(i + 1, j))}`);
    }
  }
  return { calls, bareRaises, problems };
}
