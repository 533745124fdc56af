// The top self-time functions of a V8 CPU profile (node --cpu-prof), and the same grouped by source
// file. Frames of the minified bundle (dist/kube-mcp.cjs) are mapped back to src/ by its source map.
// Usage: tsx bench/soak/profile-top.ts FILE.cpuprofile [N] [FOCUS]
// FOCUS (a substring of "name file:line"): also where time under the frames matching it goes, by callee.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SourceMapConsumer } from "source-map-js";

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
const file = process.argv[2] as string;
const n = Number(process.argv[3] ?? 30);
const focus = process.argv[4];
const under = new Map<string, number>();
const p = JSON.parse(readFileSync(file, "utf8")) as {
  nodes: { id: number; callFrame: Frame }[];
  samples: number[];
  timeDeltas: number[];
};
// dist/cli.js runs the bundle wrapped in a function on its first line: columns there are shifted.
const WRAPPER = "(function (exports, require, module, __filename, __dirname) {".length;
const maps = new Map<string, SourceMapConsumer | undefined>();
function mapped(f: Frame): { name: string; where: string; file: string } {
  const path = f.url.startsWith("file://") ? fileURLToPath(f.url) : f.url;
  if (!maps.has(path))
    maps.set(
      path,
      path.endsWith(".cjs") && existsSync(`${path}.map`)
        ? new SourceMapConsumer(JSON.parse(readFileSync(`${path}.map`, "utf8")))
        : undefined,
    );
  const map = maps.get(path);
  const short = (s: string) => s.replace(/^.*node_modules\//, "").replace(/^(\.\.\/)+/, "");
  if (map) {
    const o = map.originalPositionFor({
      line: f.lineNumber + 1,
      column: Math.max(0, f.columnNumber - (f.lineNumber === 0 ? WRAPPER : 0)),
    });
    if (o.source) {
      const src = short(o.source);
      return { name: o.name ?? f.functionName, where: `${src}:${o.line}`, file: src };
    }
  }
  const src = short(path);
  return { name: f.functionName, where: `${src}:${f.lineNumber + 1}`, file: src || f.functionName };
}
const byId = new Map(p.nodes.map((x) => [x.id, x]));
// Inclusive time: each sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const x of p.nodes as { id: number; children?: number[] }[])
  for (const c of x.children ?? []) parent.set(c, x.id);
const inclusive = new Map<string, number>();
const keys = new Map<number, ReturnType<typeof mapped>>();
function frame(id: number, f: Frame): ReturnType<typeof mapped> {
  const known = keys.get(id);
  if (known) return known;
  const m = mapped(f);
  keys.set(id, m);
  return m;
}
const self = new Map<string, number>();
const perFile = new Map<string, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const node = byId.get(id);
  const dt = p.timeDeltas[i] ?? 0;
  if (!node) return;
  const m = frame(id, node.callFrame);
  const key = `${m.name || node.callFrame.functionName || "(anonymous)"} ${m.where}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  perFile.set(m.file, (perFile.get(m.file) ?? 0) + dt);
  const seen = new Set<string>();
  let below = "(self)";
  let focused = false;
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at);
    if (!f) break;
    const fm = frame(at, f.callFrame);
    const k = `${fm.name || f.callFrame.functionName || "(anonymous)"} ${fm.where}`;
    if (focus && !focused && k.includes(focus)) {
      focused = true;
      under.set(below, (under.get(below) ?? 0) + dt);
    }
    below = k;
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
  total += dt;
});
const show = (m: Map<string, number>, k: number) =>
  [...m]
    .sort((x, y) => y[1] - x[1])
    .slice(0, k)
    .map(
      ([key, us]) =>
        `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
    )
    .join("\n");
process.stdout.write(
  `${file}: ${(total / 1000).toFixed(0)} ms sampled\n${show(self, n)}\n\nby file:\n${show(perFile, 25)}\n\ninclusive:\n${show(inclusive, n)}\n`,
);
if (focus) process.stdout.write(`\nunder ${focus}, by callee:\n${show(under, n)}\n`);
