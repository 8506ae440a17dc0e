/**
 * Mail addresses as sup's config writes them (`ops@example.com`,
 * `Ops Team <ops@example.com>`, `"Doe, Jane" <jane@example.com>`): the bare
 * address for the SMTP envelope, and the header form (display names
 * quoted or RFC 2047 encoded, international domain names in punycode).
 *
 * @module
 */

import { encodedWords, isPrintableAscii } from "./mime_encode.ts";

/** An address split into its display name (may be empty) and the address itself. */
export interface MailAddress {
  name: string;
  address: string;
}

/**
 * Reads `text`: `addr`, `Name <addr>` or `"Quoted Name" <addr>`. Throws
 * an `Error` naming the text when there is no `local@domain` in it.
 */
export function parseAddress(text: string): MailAddress {
  const trimmed = text.trim();
  const angled = trimmed.match(/^(.*?)\s*<([^<>\s]+)>$/s);
  const name = angled ? unquote(angled[1].trim()) : "";
  const address = angled ? angled[2] : trimmed;
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1 || /[\s<>,;]/.test(address)) {
    throw new Error(`"${text}" is not a mail address (expected e.g. "ops@example.com")`);
  }
  return { name, address: address.slice(0, at) + "@" + asciiDomain(address.slice(at + 1)) };
}

function unquote(name: string): string {
  const quoted = name.match(/^"(.*)"$/s);
  return quoted ? quoted[1].replace(/\\(.)/g, "$1") : name;
}

/** A domain with non-ASCII labels in punycode (`bücher.example` → `xn--bcher-kva.example`). */
export function asciiDomain(domain: string): string {
  if (isPrintableAscii(domain) || domain.startsWith("[")) return domain;
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return domain;
  }
}

/** The header form: `addr`, `Name <addr>`, `"Doe, Jane" <addr>` or `=?UTF-8?B?...?= <addr>`. */
export function formatAddress({ name, address }: MailAddress): string {
  if (name === "") return address;
  if (!isPrintableAscii(name)) return `${encodedWords(name)} <${address}>`;
  // Atoms and spaces only (RFC 5322 phrase); anything else gets quoted.
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name)) return `${name} <${address}>`;
  return `"${name.replace(/[\\"]/g, (c) => "\\" + c)}" <${address}>`;
}
