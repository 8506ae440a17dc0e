/**
 * Finds the import specifiers and `import.meta` uses in a JavaScript or
 * TypeScript module, so the config loader can rewrite them. A small
 * tokenizer that knows comments, strings, template literals and regular
 * expression literals, which is all it takes to tell real imports from text
 * that only looks like one.
 *
 * @module
 */

/** A place in the source to rewrite: a string literal holding a specifier, or `import.meta`. */
export type ImportSite =
  | { kind: "specifier"; specifier: string; start: number; end: number }
  | { kind: "meta"; start: number; end: number };

interface Token {
  type: "ident" | "string" | "punct" | "other";
  value: string;
  start: number;
  end: number;
}

const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "instanceof",
  "yield",
  "await",
]);

function isIdentChar(ch: string): boolean {
  return /[\w$\u0080-\uffff]/.test(ch);
}

/** Splits `source` into the tokens that matter for finding imports. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const braces: number[] = []; // open-brace depth at each `${` of an enclosing template
  let depth = 0;
  let i = source.startsWith("#!") ? source.indexOf("\n") : 0;
  if (i < 0) return tokens;

  const scanTemplate = (from: number): number => {
    // Scans template text from `from` to its closing backtick or to a `${`.
    let j = from;
    while (j < source.length) {
      const ch = source[j];
      if (ch === "\\") j += 2;
      else if (ch === "`") return j + 1;
      else if (ch === "$" && source[j + 1] === "{") {
        braces.push(depth);
        depth++;
        return j + 2;
      } else j++;
    }
    return j;
  };

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === "ident") return REGEX_AFTER_WORD.has(prev.value);
    if (prev.type === "punct") {
      return !(prev.value === ")" || prev.value === "]" || prev.value === "}");
    }
    return false;
  };

  while (i < source.length) {
    const ch = source[i];
    const next = source[i + 1];
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
    } else if (ch === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      i = end < 0 ? source.length : end;
    } else if (ch === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== ch && source[j] !== "\n") {
        j += source[j] === "\\" ? 2 : 1;
      }
      tokens.push({ type: "string", value: source.slice(i + 1, j), start: i, end: j + 1 });
      i = j + 1;
    } else if (ch === "`") {
      const end = scanTemplate(i + 1);
      tokens.push({ type: "other", value: "`", start: i, end });
      i = end;
    } else if (ch === "}" && braces.length > 0 && braces[braces.length - 1] === depth - 1) {
      braces.pop();
      depth--;
      const end = scanTemplate(i + 1);
      tokens.push({ type: "other", value: "`", start: i, end });
      i = end;
    } else if (ch === "/" && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== "\n") {
        const c = source[j];
        if (c === "\\") j++;
        else if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
        else if (c === "/" && !inClass) break;
        j++;
      }
      j++;
      while (j < source.length && isIdentChar(source[j])) j++;
      tokens.push({ type: "other", value: "regex", start: i, end: j });
      i = j;
    } else if (isIdentChar(ch)) {
      let j = i + 1;
      while (j < source.length && isIdentChar(source[j])) j++;
      tokens.push({ type: "ident", value: source.slice(i, j), start: i, end: j });
      i = j;
    } else {
      if (ch === "{") depth++;
      else if (ch === "}") depth--;
      tokens.push({ type: "punct", value: ch, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

/**
 * Every static import/export specifier (`from "x"`, `import "x"`), literal
 * dynamic import (`import("x")`) and `import.meta`, in source order.
 */
export function scanImports(source: string): ImportSite[] {
  const tokens = tokenize(source);
  const sites: ImportSite[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const prev = tokens[k - 1];
    const prev2 = tokens[k - 2];
    if (t.type === "string") {
      const afterDot = prev2?.type === "punct" && prev2.value === ".";
      const isStatic = prev?.type === "ident" &&
        (prev.value === "from" || (prev.value === "import" && !afterDot));
      const isDynamic = prev?.type === "punct" && prev.value === "(" &&
        prev2?.type === "ident" && prev2.value === "import" &&
        tokens[k - 3]?.value !== ".";
      if (isStatic || isDynamic) {
        sites.push({ kind: "specifier", specifier: unescape(t.value), start: t.start, end: t.end });
      }
    } else if (
      t.type === "ident" && t.value === "import" && tokens[k + 1]?.value === "." &&
      tokens[k + 2]?.value === "meta" && prev?.value !== "."
    ) {
      sites.push({ kind: "meta", start: t.start, end: tokens[k + 2].end });
    }
  }
  return sites;
}
