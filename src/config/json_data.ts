/**
 * Checks that a value is JSON data: what `app` settings must be, since sup
 * serves them to apps over HTTP, OSC and WebSocket.
 *
 * @module
 */

import { type IssueList, joinPath } from "./config_error.ts";
import { describe } from "./fields.ts";
import { isPlainObject } from "./modes.ts";

const EXPECTED = "must be JSON data (a string, number, boolean, null, array or object)";

/** Records every place in `value` (at `path`) that JSON cannot carry: functions, bigints, class instances, NaN, cycles. */
export function checkJsonData(value: unknown, path: string, issues: IssueList): void {
  const ancestors: object[] = [];
  const visit = (v: unknown, at: string): void => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) issues.add(at, `${EXPECTED}, got ${v}`);
      return;
    }
    if (Array.isArray(v) || isPlainObject(v)) {
      if (ancestors.includes(v)) {
        issues.add(at, "refers back to an object that contains it (JSON data has no cycles)");
        return;
      }
      ancestors.push(v);
      if (Array.isArray(v)) v.forEach((item, i) => visit(item, joinPath(at, i)));
      else {
        for (const [key, item] of Object.entries(v)) {
          if (item !== undefined) visit(item, joinPath(at, key));
        }
      }
      ancestors.pop();
      return;
    }
    const what = typeof v === "function" ? "a function" : describe(v);
    issues.add(at, `${EXPECTED}, got ${what}`);
  };
  visit(value, path);
}
