/**
 * `-w/--write-out FORMAT`: curl's variables, filled from one transfer and
 * printed to stdout after it. Unknown variables are left out with a warning,
 * as curl does.
 *
 * @module
 */

import type { HeaderObject } from "./output.ts";

/** What a transfer reports to `--write-out`. */
export interface TransferReport {
  readonly url: string;
  readonly method: string;
  /** The final status; 0 when no response arrived. */
  readonly status: number;
  /** Body bytes received (written, or spooled). */
  readonly sizeDownload: number;
  /** Seconds from the start of the transfer to its end. */
  readonly timeTotal: number;
  /** The final response's headers. */
  readonly headers: HeaderObject;
  /** Redirects followed. */
  readonly redirects: number;
  /** The file written, `""` for stdout. */
  readonly filename: string;
  readonly exitCode: number;
  /** The error message, `""` on success. */
  readonly error: string;
}

/** The `--write-out` variables, each with how it reads a report. */
export const WRITE_OUT_VARIABLES: Readonly<Record<string, (r: TransferReport) => string>> = {
  http_code: (r) => String(r.status).padStart(3, "0"),
  response_code: (r) => String(r.status).padStart(3, "0"),
  size_download: (r) => String(r.sizeDownload),
  time_total: (r) => r.timeTotal.toFixed(6),
  url: (r) => r.url,
  url_effective: (r) => r.url,
  content_type: (r) => headerText(r.headers["content-type"]),
  num_redirects: (r) => String(r.redirects),
  filename_effective: (r) => r.filename,
  method: (r) => r.method,
  exitcode: (r) => String(r.exitCode),
  errormsg: (r) => r.error,
};

/**
 * Expands FORMAT for one transfer: `%{name}`, `%header{name}`, `%%`, and the
 * escapes `\n`, `\r`, `\t`, `\\`. Unknown variables become `""` and are
 * reported through `warn`.
 */
export function expandWriteOut(
  format: string,
  report: TransferReport,
  warn: (line: string) => void,
): string {
  return format.replace(
    /%%|%\{([A-Za-z_]+)\}|%header\{([^}]+)\}|\\([nrt\\])/g,
    (whole, variable?: string, header?: string, escape?: string) => {
      if (whole === "%%") return "%";
      if (escape !== undefined) return { n: "\n", r: "\r", t: "\t", "\\": "\\" }[escape]!;
      if (header !== undefined) return headerText(report.headers[header.toLowerCase()]);
      const read = WRITE_OUT_VARIABLES[variable!];
      if (read) return read(report);
      warn(`unknown --write-out variable: '${variable}'`);
      return "";
    },
  );
}

function headerText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return Array.isArray(value) ? value.join(", ") : String(value);
}
