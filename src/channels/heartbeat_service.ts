/**
 * Heartbeats and self-registered apps as one service for `sup run`: the
 * heartbeat watchdog, the app registry (kept in the runtime state file), the
 * OSC channel, and the `AppChannelContext` the web server and the WebSocket
 * channel are built on.
 *
 * ```ts
 * let hb!: HeartbeatService;
 * const services: ServiceFactory[] = [
 *   (api, state) => (hb = new HeartbeatService(api, { state })),
 *   () => new WebService(hb.context), // and the WebSocket channel
 * ];
 * ```
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import { AppRegistry, type SectionStore } from "../apps/registry.ts";
import { HeartbeatWatchdog } from "../probes/heartbeat.ts";
import { commandReboot, DEFAULT_REBOOT_COMMAND, type RebootAdapter } from "../core/reboot.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import { logAppEvents } from "../apps/app_event_log.ts";
import type { AppChannelContext } from "../apps/app_context.ts";
import { createAppChannelContext } from "../apps/app_channel_context.ts";
import { OscChannel, type OscChannelOptions } from "./osc_channel.ts";

const log = getLogger(["sup", "heartbeat"]);

/** What the service is built from. */
export interface HeartbeatServiceOptions {
  /** Where registrations persist (the runtime state file). @default none */
  state?: SectionStore | null;
  /** @default runs the config's `machine.rebootCommand` (`systemctl reboot`) */
  reboot?: RebootAdapter;
  /** OSC channel tuning. */
  osc?: OscChannelOptions;
}

/** Watchdog, app registry and OSC channel; `apply(config)` and `close()` as every service. */
export class HeartbeatService {
  /** Job heartbeats. */
  readonly watchdog: HeartbeatWatchdog;
  /** Self-registered apps. */
  readonly apps: AppRegistry;
  /** What every channel is given. */
  readonly context: AppChannelContext;
  /** OSC over UDP on `network.osc`. */
  readonly osc: OscChannel;
  #rebootCommand: readonly string[] = DEFAULT_REBOOT_COMMAND;
  #unlog: Unsubscribe;

  /** Subscribes at once (before the supervisor's first `apply`), loads stored registrations. */
  constructor(api: SupervisorApi, options: HeartbeatServiceOptions = {}) {
    const reboot = options.reboot ?? ((reason) => commandReboot(this.#rebootCommand)(reason));
    this.#unlog = logAppEvents(api.bus);
    this.watchdog = new HeartbeatWatchdog(api);
    this.apps = new AppRegistry({ bus: api.bus, reboot, store: options.state ?? null });
    this.context = createAppChannelContext({ api, watchdog: this.watchdog, apps: this.apps });
    this.osc = new OscChannel(this.context, options.osc);
  }

  /** Follows the config; a port that cannot be bound is logged, sup keeps running. */
  async apply(config: ResolvedConfig): Promise<void> {
    this.#rebootCommand = config.machine.rebootCommand;
    this.apps.apply(config.apps);
    this.watchdog.apply(config);
    try {
      await this.osc.apply(config);
    } catch (error) {
      log.error("{error}", { error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Closes the socket and cancels every timer. */
  async close(): Promise<void> {
    await this.osc.close();
    this.apps.close();
    this.watchdog.close();
    this.#unlog();
  }
}
