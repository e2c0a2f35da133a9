/**
 * Checks and conversions of option values (headers, integers, seconds, sizes,
 * comma-separated lists); each throws a {@linkcode UsageError} naming the
 * option when the value does not fit.
 *
 * @module
 */

import { UsageError } from "./exit_codes.ts";

/** `Name: value`, `Name;` (empty value) or `Name:` (remove). */
export function parseHeader(text: string, option: string): [string, string | null] {
  const colon = text.indexOf(":");
  if (colon > 0) {
    const value = text.slice(colon + 1).trim();
    return [text.slice(0, colon).trim(), value === "" ? null : value];
  }
  if (text.endsWith(";") && text.length > 1) return [text.slice(0, -1).trim(), ""];
  throw new UsageError(`${option} must look like 'Name: value', got '${text}'`);
}

/** An integer of at least `min`. */
export function parseInteger(text: string, option: string, min: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(
      `${option} needs an integer${
        min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ""
      }, got '${text}'`,
    );
  }
  return value;
}

/** Seconds (fractions allowed) to whole ms; 0 means no limit. */
export function parseSecondsToMs(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${option} needs a number of seconds, got '${text}'`);
  }
  const ms = Math.round(value * 1000);
  if (value > 0 && ms === 0) return 1;
  if (ms > 2_147_483_647) throw new UsageError(`${option} is too large: '${text}'`);
  return ms;
}

const SIZE_SUFFIX: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes with an optional k/M/G suffix (1024-based). */
export function parseSize(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(text.trim());
  if (!match) throw new UsageError(`${option} needs a size such as 500k or 10M, got '${text}'`);
  return Math.floor(Number(match[1]) * SIZE_SUFFIX[match[2]!.toLowerCase()]!);
}

/** Comma-separated items, trimmed; empty items are dropped. */
export function parseList(text: string): string[] {
  return text.split(",").map((item) => item.trim()).filter((item) => item !== "");
}
