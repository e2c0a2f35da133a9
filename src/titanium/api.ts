/**
 * `Ti.API`: Titanium's logging functions, on the console, so the
 * `Ti.API.info(…)` lines of a ported app keep working.
 *
 * @module
 */

// deno-lint-ignore-file no-console

/**
 * Titanium's log module. Each function writes one line to the console at
 * its level (`trace` and `debug` as `console.debug`).
 *
 * @example Usage
 * ```ts
 * import { Ti } from "@netstack/http";
 * Ti.API.info("loaded", 3, "items");
 * ```
 */
export class API {
  private constructor() {}

  /** `"Ti.API"`. */
  static get apiName(): string {
    return "Ti.API";
  }

  /**
   * Logs at the `info` level.
   *
   * @param message what to log (several values are joined by spaces)
   */
  static info(...message: unknown[]): void {
    console.info(...message);
  }
  /**
   * Logs at the `debug` level.
   *
   * @param message what to log
   */
  static debug(...message: unknown[]): void {
    console.debug(...message);
  }
  /**
   * Logs at the `trace` level (as `console.debug`: no stack trace).
   *
   * @param message what to log
   */
  static trace(...message: unknown[]): void {
    console.debug(...message);
  }
  /**
   * Logs at the `warn` level.
   *
   * @param message what to log
   */
  static warn(...message: unknown[]): void {
    console.warn(...message);
  }
  /**
   * Logs at the `error` level.
   *
   * @param message what to log
   */
  static error(...message: unknown[]): void {
    console.error(...message);
  }
  /**
   * Logs `message` at `level` (`"info"`, `"debug"`, `"trace"`, `"warn"`,
   * `"error"`; anything else as `info`).
   *
   * @param level the level's name
   * @param message what to log
   */
  static log(level: string, ...message: unknown[]): void {
    switch (level) {
      case "debug":
      case "trace":
        return API.debug(...message);
      case "warn":
        return API.warn(...message);
      case "error":
        return API.error(...message);
      default:
        return API.info(...message);
    }
  }
}
