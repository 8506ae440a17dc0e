/**
 * Config types of the control socket (issue 10): where the `sup` CLI finds
 * a running sup and who may use it. Re-exported by `types.ts`.
 *
 * @module
 */

/**
 * The unix socket that serves the operator API to the `sup` CLI
 * (`sup status`, `sup restart web`...). Only who can open the socket file
 * can use it: its mode and group are the access check.
 */
export interface SocketConfig {
  /**
   * Where the socket is, relative to the config file. The default folder is
   * `$XDG_RUNTIME_DIR/sup`, else `/run/sup`, else the config's folder
   * (`$SUP_STATE_DIR` overrides), and the file is `<network.name>.sock`.
   * A path of at most 107 bytes (the kernel's limit).
   * @default "$XDG_RUNTIME_DIR/sup/<name>.sock"
   * @example "/run/kiosk/sup.sock"
   */
  path?: string;
  /**
   * Permissions of the socket file. Only sup's user can use it by default;
   * `0o660` with `group` lets that group's members run `sup status` and
   * every other control command (the folder must let them in too).
   * @default 0o600
   * @example 0o660
   */
  mode?: number;
  /**
   * Group the socket file belongs to (a name from /etc/group or a gid),
   * for `mode` to open it to. sup must be a member of it (or root).
   * @default sup's own group
   * @example "kiosk-admins"
   */
  group?: string | number;
}

/** The settings of `network` about the control socket (`NetworkConfig` extends it). */
export interface ControlNetworkConfig {
  /**
   * This sup's name among the sups of the machine: the control socket's
   * file name, and what `sup status --name <name>` picks. When unset it is
   * derived from the config path: the file's name (its folder's name for
   * `config.ts` or `sup.config.ts`) and a hash of the whole path.
   * @default derived from the config path, e.g. "kiosk-1a2b3c4d"
   * @example "kiosk"
   */
  name?: string;
  /** The unix socket the `sup` CLI talks to; false for none. @default { mode: 0o600 } */
  socket?: SocketConfig | false;
}
