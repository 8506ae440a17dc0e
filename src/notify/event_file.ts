/**
 * The event log file (`logging.events`, ampm's `eventFile`): app events and
 * job lifecycle events, one TSV line each (`event_file_format.ts`), in a
 * file named after the local date when the name holds `{date}`. A new file
 * starts with the header line; a file sup appends to again (a restart the
 * same day) does not get a second one. Files and folders are created with
 * `logging.fileMode`.
 *
 * Writing never holds sup up: lines are queued and written by the file's
 * own loop; past 1 MiB waiting (a disk that does not keep up) lines are
 * dropped, counted, and the count logged once the file catches up.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { EventBus, Unsubscribe } from "../core/event_bus.ts";
import type { SupEvent } from "../core/events.ts";
import { RotatingFile } from "../core/rotating_file.ts";
import type { ReplayingComponent } from "./event_file_early.ts";
import { EVENT_FILE_HEADER, eventLine, LIFECYCLE_EVENTS, localDate } from "./event_file_format.ts";

/** Tuning (tests). */
export interface EventFileOptions {
  /** Queued bytes past which lines are dropped. @default 1 MiB */
  maxQueuedBytes?: number;
}

interface Settings {
  template: string;
  jobs: boolean;
  mode: number;
}

const encoder = new TextEncoder();

/** Writes the event log file; a component that follows `logging.events`. */
export class EventFile implements ReplayingComponent {
  #bus: EventBus;
  #settings: Settings | null = null;
  #offs: Unsubscribe[] = [];
  #file: RotatingFile | null = null;
  #closing = new Set<Promise<void>>();
  #maxQueued: number;
  #dropped = 0;
  #log = getLogger(["sup", "events"]);

  /** Subscribes to `bus` at the first `apply` that sets `logging.events`. */
  constructor(bus: EventBus, options: EventFileOptions = {}) {
    this.#bus = bus;
    this.#maxQueued = options.maxQueuedBytes ?? 1024 * 1024;
  }

  /** Follows `logging.events`: starts, changes or stops writing. Subscribes synchronously. */
  apply(config: ResolvedConfig): void {
    const events = config.logging.events;
    const next = events &&
      { template: events.file, jobs: events.jobs, mode: config.logging.fileMode };
    const before = this.#settings;
    this.#settings = next;
    if (next === null || before?.template !== next.template || before.mode !== next.mode) {
      this.#closeFile();
    }
    if (next === null) return this.#unsubscribe();
    if (this.#offs.length > 0 && before?.jobs === next.jobs) return;
    this.#unsubscribe();
    const write = (event: SupEvent) => this.#write(event);
    this.#offs = [this.#bus.on("app.event", write)];
    if (next.jobs) this.#offs.push(...LIFECYCLE_EVENTS.map((type) => this.#bus.on(type, write)));
  }

  /** Writes the events emitted before this component was loaded. */
  replay(events: readonly SupEvent[]): void {
    for (const event of events) {
      if (event.type === "app.event" || this.#settings?.jobs) this.#write(event);
    }
  }

  /** Writes what is queued and closes the file. */
  async close(): Promise<void> {
    this.#unsubscribe();
    this.#settings = null;
    this.#closeFile();
    await Promise.all(this.#closing);
  }

  /** Resolves when every line written so far is in the file (tests). */
  async flush(): Promise<void> {
    await this.#file?.flush();
  }

  #write(event: SupEvent): void {
    const settings = this.#settings;
    if (settings === null) return;
    const line = eventLine(event);
    if (line === null) return;
    const file = this.#fileFor(settings, event.at);
    if (file.queuedBytes > this.#maxQueued) {
      if (this.#dropped++ === 0) {
        this.#log.warn("Event log file {path} is behind: dropping events until it catches up", {
          path: file.path,
        });
      }
      return;
    }
    if (this.#dropped > 0) {
      this.#log.warn("Event log file {path}: {dropped} events were dropped", {
        path: file.path,
        dropped: this.#dropped,
      });
      this.#dropped = 0;
    }
    file.write(encoder.encode(line + "\n"));
  }

  /** The open file for the day of `at`, switching files when the date in the name changes. */
  #fileFor(settings: Settings, at: number): RotatingFile {
    const path = settings.template.replaceAll("{date}", localDate(at));
    if (this.#file?.path === path) return this.#file;
    this.#closeFile();
    const file = new RotatingFile(path, {
      maxBytes: 0,
      maxFiles: 0,
      daily: false,
      recoverLeftovers: false,
      mode: settings.mode,
      onError: (error) => this.#log.error("{message}", { message: error.message }),
    });
    if (isEmpty(path)) file.write(encoder.encode(EVENT_FILE_HEADER + "\n"));
    this.#file = file;
    return file;
  }

  #closeFile(): void {
    const file = this.#file;
    if (file === null) return;
    this.#file = null;
    const closing = file.close().finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }

  #unsubscribe(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
  }
}

/** True when `path` does not exist or holds nothing (a new file gets the header). */
function isEmpty(path: string): boolean {
  try {
    return Deno.statSync(path).size === 0;
  } catch {
    return true;
  }
}
