/**
 * Every observable fact is a `SupEvent`: one discriminated union of plain
 * JSON objects. Listeners, notifiers, the panel, metrics and the event log
 * consume the same stream.
 *
 * @module
 */

/** A job's lifecycle state (supervisord's names). */
export type JobState =
  | "stopped"
  | "starting"
  | "running"
  | "backoff"
  | "stopping"
  | "exited"
  | "fatal";

/** Who or what asked for an action. Every start, stop and restart carries one. */
export type ActionSource =
  | "config" // start-up, reload, `after`/`wait` release
  | "crash" // restart policy after an exit
  | "finished" // the job exited 0 and its policy does not restart it (a done wait/once job)
  | "heartbeat" // missed heartbeat
  | "memmon" // memory limit
  | "httpok" // HTTP probe
  | "schedule" // cron schedule
  | "bounce" // periodic restart
  | "depends" // a watched file changed
  | "retry" // slow retry out of `fatal`
  | "health" // failing health checks (`health` of a job)
  | "listener" // a listener or plugin (its name is in `by`)
  | "manual" // CLI or panel
  | "app" // the app itself (/restart)
  | "shutdown"; // sup is stopping

/** Why an action happened: its source and a human sentence. */
export interface ActionReason {
  /** Who or what asked. */
  source: ActionSource;
  /** Human detail, e.g. `file "/etc/app.json" changed`. */
  detail?: string;
  /** The listener or plugin that asked, e.g. `"httpok"` or `"plugin:kiosk"` (source "listener"). */
  by?: string;
}

/**
 * What made a job ready: its first heartbeat since the spawn, or the spawn
 * itself for a job without a heartbeat config.
 */
export type ReadySource = "heartbeat" | "health" | "spawn";

/** What sup does to the machine. */
export type MachineAction = "reboot" | "shutdown";

/** The kinds of a job's health check. */
export type HealthCheckKind = "http" | "tcp" | "exec";

/** How a process ended: exactly one of code or signal is set. */
export interface ExitStatus {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  /** The signal's name (e.g. "SIGKILL"), or null when it exited with a code. */
  signal: string | null;
}

/** Fields every event has. */
interface At {
  /** Milliseconds since the epoch. */
  at: number;
}

/** Every fact sup reports. */
export type SupEvent =
  | At & { type: "sup.started"; pid: number; config: string; modes: string[] }
  | At & { type: "sup.stopping"; signal: string }
  | At & { type: "sup.stopped" }
  | At & {
    /**
     * sup's timers fired late by `stalledMs` (the process was stopped, the
     * machine suspended, or the clock jumped): heartbeat and health deadlines
     * get a fresh grace period instead of firing.
     */
    type: "sup.stalled";
    stalledMs: number;
  }
  | At & {
    type: "job.state";
    job: string;
    from: JobState;
    to: JobState;
    pid: number | null;
    reason: ActionReason;
    /** Exit code of the process whose end caused this transition (null: none, or a signal). */
    code: number | null;
    /** Signal that ended the process whose end caused this transition (null: none, or a code). */
    signal: string | null;
    /** How long the job's process had run (ms) when it ended or was asked to stop; null when no process ran. */
    uptimeMs: number | null;
  }
  | At & { type: "job.spawned"; job: string; pid: number; argv: string[] }
  | At & { type: "job.ready"; job: string; pid: number; by: ReadySource }
  | At & {
    type: "job.exited";
    job: string;
    pid: number;
    code: number | null;
    signal: string | null;
    uptimeMs: number;
    /** True when sup asked for the stop, or the exit was a clean `once`/`wait` completion. */
    expected: boolean;
    /** The last lines of stderr, to explain the death. */
    stderrTail: string[];
  }
  | At & { type: "job.backoff"; job: string; delayMs: number; retries: number }
  | At & { type: "job.fatal"; job: string; message: string }
  | At & { type: "job.spawnFailed"; job: string; message: string }
  // Operators switch jobs off and on (`sup disable` / `sup enable`)
  | At & { type: "job.disabled"; job: string; by: string; persist: boolean }
  /** `by`: who switched it on, or "config: changed" / "config: removed" when a config lifted it. */
  | At & { type: "job.enabled"; job: string; by: string }
  | At & {
    type: "job.action";
    job: string;
    action: "start" | "stop" | "restart";
    reason: ActionReason;
  }
  | At & {
    /** A signal sent to the job's process group on request (`sup signal`, a heartbeat's "kill"). */
    type: "job.signaled";
    job: string;
    pid: number;
    signal: string;
    reason: ActionReason;
  }
  | At & { type: "job.output"; job: string; stream: "stdout" | "stderr"; line: string }
  | At & { type: "config.reloaded"; added: string[]; removed: string[]; changed: string[] }
  | At & { type: "config.invalid"; source: string; errors: string[] }
  | At & { type: "heartbeat.missed"; job: string; lastSeen: number | null; timeoutMs: number }
  | At & { type: "app.log"; job: string | null; level: string; message: string }
  | At & {
    type: "app.event";
    job: string | null;
    category: string;
    action: string;
    label: string | null;
    value: number | null;
  }
  | At & {
    type: "app.message";
    job: string | null;
    channel: "osc" | "websocket";
    address: string;
    args: unknown[];
  }
  | At & {
    /** A self-registered app missed its refresh; `action` is what sup does about it. */
    type: "app.missed";
    id: string;
    name: string;
    pid: number | null;
    lastSeen: number;
    timeoutMs: number;
    action: "restart" | "kill" | "reboot" | "none";
  }
  | At & {
    /** sup restarts or powers off the machine (the command runs right after this event). */
    type: "machine.action";
    action: MachineAction;
    reason: ActionReason;
    command: string[];
  }
  | At & {
    /** A machine action sup did not take (the reboot-loop guard: too soon after the last one). */
    type: "machine.refused";
    action: MachineAction;
    reason: ActionReason;
    /** Why it was refused, a sentence. */
    message: string;
    /** When the last machine action was taken (ms since epoch), if known. */
    lastAt: number | null;
  }
  | At & {
    /** A health check of a job failed (`failures` in a row so far). */
    type: "health.failed";
    job: string;
    check: HealthCheckKind;
    /** Why: status code, body mismatch, connection refused, timeout, exit code. */
    reason: string;
    failures: number;
  }
  | At & {
    /** A job's health check passed again after failing. */
    type: "health.recovered";
    job: string;
    check: HealthCheckKind;
    /** Failures in a row before this pass. */
    failures: number;
  }
  | At & {
    /** A notifier (mail, SMS gateway, webhook) delivered a message. */
    type: "notify.sent";
    notifier: string;
    subject: string;
    /** Attempts it took (1: the first try). */
    attempts: number;
  }
  | At & {
    /** A notifier failed to deliver (`willRetry`: it is queued for another try). */
    type: "notify.failed";
    notifier: string;
    subject: string;
    error: string;
    willRetry: boolean;
  }
  | At & {
    /** A notifier's queue was full: its oldest message was dropped. */
    type: "notify.dropped";
    notifier: string;
    subject: string;
    dropped: number;
  }
  | At & {
    /** A listener threw, timed out, or dropped events because it fell behind. */
    type: "listener.failed";
    listener: string;
    problem: "threw" | "timeout" | "overflow";
    message: string;
  }
  | At & { type: "tick.5" }
  | At & { type: "tick.60" }
  | At & { type: "tick.3600" }
  | At & { type: "app.registered"; id: string; name: string; pid: number | null; timeoutMs: number }
  | At & { type: "app.unregistered"; id: string; name: string }
  | At & { type: "channel.rejected"; channel: "osc" | "websocket" | "http"; reason: string }
  | At & { type: "log.rotated"; path: string };

/** The `type` tags of all events. */
export type SupEventType = SupEvent["type"];

/** The event with the given tag. */
export type EventOf<T extends SupEventType> = Extract<SupEvent, { type: T }>;
