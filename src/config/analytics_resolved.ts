/**
 * `logging.events` and `analytics` resolved (see `analytics_types.ts` for
 * what users write).
 *
 * @module
 */

import type { SecretValue } from "./analytics_types.ts";

/** `logging.events` resolved. */
export interface ResolvedEventFile {
  /** Absolute path; `{date}` still in it. */
  file: string;
  /** Job lifecycle events too, not only app events. */
  jobs: boolean;
}

/** `analytics` resolved. The secret is read from the environment when analytics start. */
export interface ResolvedAnalytics {
  measurementId: string;
  apiSecret: SecretValue;
  /** The collect URL without query. */
  endpoint: string;
  /** null: the hostname. */
  clientId: string | null;
  intervalMs: number;
}

/** GA4's collect endpoint. */
export const GA4_ENDPOINT = "https://www.google-analytics.com/mp/collect";
