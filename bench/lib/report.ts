// What a scenario hands back: a titled markdown table plus the raw numbers behind it.
import { cpus, freemem, loadavg, totalmem } from "node:os";

export interface Section {
  title: string;
  /** One or two sentences under the title: what was measured and how. */
  note?: string;
  headers: string[];
  rows: string[][];
  data: unknown;
}

export function markdown(s: Section): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `### ${s.title}`,
    "",
    ...(s.note ? [s.note, ""] : []),
    line(s.headers),
    line(s.headers.map(() => "---")),
    ...s.rows.map(line),
    "",
  ].join("\n");
}

export function machine(): string {
  const cpu = cpus();
  return [
    `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}`,
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} GiB free)`,
    `Node ${process.version}, ${process.platform}/${process.arch}`,
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  ].join("; ");
}
