/**
 * `Ti.Network.online` / `networkType` and the `change` event, from the
 * host's interfaces (`Deno.networkInterfaces()`): online when an interface
 * other than loopback has an address that is not link-local. The type comes
 * from interface names (`wl*` Wi-Fi, `ww*`/`rmnet*`/`ppp*` mobile, other
 * named hardware LAN). The interfaces are polled only while a `change`
 * listener exists, by a timer that never keeps the process alive.
 *
 * Without `--allow-sys=networkInterfaces` the host cannot be asked (and we
 * never prompt): the status is then online, `NETWORK_UNKNOWN`, so the
 * usual `if (!Ti.Network.online)` guard does not stop every request.
 *
 * @module
 */

/** `Ti.Network.NETWORK_NONE`: no usable interface. */
export const NETWORK_NONE = 0;
/** `Ti.Network.NETWORK_WIFI`. */
export const NETWORK_WIFI = 1;
/** `Ti.Network.NETWORK_MOBILE`. */
export const NETWORK_MOBILE = 2;
/** `Ti.Network.NETWORK_LAN`. */
export const NETWORK_LAN = 3;
/** `Ti.Network.NETWORK_UNKNOWN`: online, kind unknown. */
export const NETWORK_UNKNOWN = 4;

const NAMES = ["NONE", "WIFI", "MOBILE", "LAN", "UNKNOWN"] as const;

/** One reading of the host's connectivity. */
export interface NetworkStatus {
  readonly online: boolean;
  /** One of the `NETWORK_*` values. */
  readonly networkType: number;
  /** `"NONE"`, `"WIFI"`, `"MOBILE"`, `"LAN"` or `"UNKNOWN"`, as on Android. */
  readonly networkTypeName: string;
}

/** How often the interfaces are read while someone listens for `change`. */
export const POLL_INTERVAL = 2_000;

/** The status `interfaces` describe; `null` when they could not be read. */
export function classify(interfaces: readonly Deno.NetworkInterfaceInfo[] | null): NetworkStatus {
  if (interfaces === null) return status(NETWORK_UNKNOWN);
  let best = NETWORK_NONE;
  for (const entry of interfaces) {
    if (!usable(entry)) continue;
    const type = typeOf(entry.name);
    // A wired link wins over Wi-Fi, Wi-Fi over mobile, any of them over an unknown kind.
    if (best === NETWORK_NONE || rank(type) > rank(best)) best = type;
  }
  return status(best);
}

/** Reads the host's status now. */
export function readStatus(): NetworkStatus {
  return classify(readInterfaces());
}

function status(type: number): NetworkStatus {
  return { online: type !== NETWORK_NONE, networkType: type, networkTypeName: NAMES[type]! };
}

function usable(entry: Deno.NetworkInterfaceInfo): boolean {
  const address = entry.address.toLowerCase();
  if (entry.family === "IPv4") {
    return !address.startsWith("127.") && !address.startsWith("169.254.");
  }
  return address !== "::1" && !address.startsWith("fe80:");
}

function typeOf(name: string): number {
  if (/^(wl|wifi|ath|ra\d)/i.test(name)) return NETWORK_WIFI;
  if (/^(ww|rmnet|ppp|wwan|ccmni|pdp)/i.test(name)) return NETWORK_MOBILE;
  if (/^(eth|en|em|eno|ens|enp|bond|Ethernet)/i.test(name)) return NETWORK_LAN;
  return NETWORK_UNKNOWN;
}

function rank(type: number): number {
  return [0, 3, 2, 4, 1][type]!;
}

function readInterfaces(): Deno.NetworkInterfaceInfo[] | null {
  try {
    const state = Deno.permissions.querySync({ name: "sys", kind: "networkInterfaces" }).state;
    if (state !== "granted") return null; // never prompt from a property read
    return Deno.networkInterfaces();
  } catch {
    return null;
  }
}

/**
 * Calls `onChange` with the new status whenever it differs from the last
 * one, reading it every {@linkcode POLL_INTERVAL} ms from `start()` until
 * `stop()`. The timer is unref'd: it never keeps the process alive.
 */
export class StatusWatch {
  readonly #onChange: (now: NetworkStatus, before: NetworkStatus) => void;
  readonly #read: () => NetworkStatus;
  #timer: ReturnType<typeof setInterval> | null = null;
  #last: NetworkStatus | null = null;

  /**
   * @param onChange called with the new and the previous status
   * @param read how to read the status (the host's, by default)
   */
  constructor(
    onChange: (now: NetworkStatus, before: NetworkStatus) => void,
    read: () => NetworkStatus = readStatus,
  ) {
    this.#onChange = onChange;
    this.#read = read;
  }

  /** Whether the timer runs. */
  get watching(): boolean {
    return this.#timer !== null;
  }

  /** Starts polling (again); does nothing while polling. */
  start(interval: number = POLL_INTERVAL): void {
    if (this.#timer !== null) return;
    this.#last = this.#read();
    const timer = setInterval(() => this.poll(), interval);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Reads the status once and reports a change. */
  poll(): void {
    const now = this.#read();
    const before = this.#last;
    this.#last = now;
    if (before && (now.online !== before.online || now.networkType !== before.networkType)) {
      this.#onChange(now, before);
    }
  }

  /** Stops polling. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#last = null;
  }
}
