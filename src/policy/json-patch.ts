// JSON patches judged before they are sent: whether an op would copy, move or test a value that
// redaction hides. Earlier ops can move, rename or re-index what a later op reads, so the ops are run
// here, in order, on a copy of the live object (RFC 6902; a test always passes here, because a failed
// one stops the server's patch at that op).
import type { Obj } from "./guard.js";
import { redactObject } from "./redact.js";

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const tokens = (pointer: string) =>
  pointer === ""
    ? []
    : pointer
        .replace(/^\//, "")
        .split("/")
        .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));

const at = (root: unknown, pointer: string): unknown => atTokens(root, tokens(pointer));

function atTokens(root: unknown, keys: string[]): unknown {
  let cur: unknown = root;
  for (const key of keys) {
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObj(cur)) cur = Object.hasOwn(cur, key) ? cur[key] : undefined;
    else return undefined;
  }
  return cur;
}

/**
 * The JSON patch op that would copy, move or test a value redaction hides in `before`, described; such
 * a value would leave its masked place (or be guessed one `test` at a time). Undefined when none does.
 * Each op is judged where it reads in the original object and, because earlier ops can move, rename
 * or re-index what a later op reads, in the object as the ops before it left it.
 */
export function jsonPatchReadsSecret(ops: unknown, before: Obj): string | undefined {
  if (!Array.isArray(ops)) return undefined;
  if (ops.length > MAX_OPS)
    return `the JSON patch has ${ops.length} ops, more than the ${MAX_OPS} kube-mcp judges`;
  // Copies can double the object op after op: the work of judging is bounded, and a patch past the
  // bound is refused rather than judged in part.
  let work = 0;
  const spend = (n: number) => {
    work += n;
    if (work > MAX_WORK) throw new TooLarge();
  };
  try {
    return judge(ops, before, spend);
  } catch (err) {
    if (err instanceof TooLarge) return "the JSON patch copies more than kube-mcp can judge";
    throw err;
  }
}

const MAX_OPS = 1000;
const MAX_WORK = 10_000_000;
class TooLarge extends Error {}

function judge(ops: unknown[], before: Obj, spend: (n: number) => void): string | undefined {
  const hidden: string[] = [];
  const shown = redactObject(before, { collect: (v) => hidden.push(v) });
  const forms = hidden
    .filter((v) => v.length >= 4)
    .flatMap((v) => [v, Buffer.from(v).toString("base64")])
    .map((f) => JSON.stringify(f).slice(1, -1));
  const carries = (v: unknown) => {
    const text = JSON.stringify(v) ?? "";
    spend(text.length * (1 + forms.length / 16)); // substring search is cheap next to stringify
    return forms.some((f) => text.includes(f));
  };
  let doc: unknown = structuredClone(before);
  for (const op of ops) {
    if (!isObj(op)) continue;
    const pointer = op.op === "copy" || op.op === "move" ? op.from : op.op === "test" ? op.path : undefined;
    if (typeof pointer === "string") {
      const original = JSON.stringify(at(before, pointer)) !== JSON.stringify(at(shown, pointer));
      if (original || carries(at(doc, pointer)))
        return `the JSON patch op "${op.op}" reads ${pointer}, which holds a redacted value`;
    }
    if (op.op === "copy" || op.op === "add" || op.op === "replace")
      spend((JSON.stringify(op.op === "copy" ? at(doc, String(op.from ?? "")) : op.value) ?? "").length);
    try {
      doc = applyOp(doc, op);
    } catch {
      break; // the server refuses the whole patch at this op; nothing after it is read
    }
  }
  return undefined;
}

/** One RFC 6902 op on a copy of `doc` (tests always pass here: a failed one stops the server's patch). */
function applyOp(doc: unknown, op: Obj): unknown {
  const set = (root: unknown, path: string, value: unknown, insert: boolean): unknown => {
    const t = tokens(path);
    if (!t.length) return value;
    const key = t.pop() as string;
    const parent = atTokens(root, t);
    if (Array.isArray(parent)) {
      const i = key === "-" ? parent.length : Number(key);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new Error("bad index");
      parent.splice(i, insert ? 0 : 1, value);
    } else if (isObj(parent)) parent[key] = value;
    else throw new Error("no parent");
    return root;
  };
  const remove = (root: unknown, path: string): unknown => {
    const t = tokens(path);
    const key = t.pop() as string;
    const parent = atTokens(root, t);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (isObj(parent)) delete parent[key];
    else throw new Error("no parent");
    return root;
  };
  const path = String(op.path ?? "");
  switch (op.op) {
    case "add":
      return set(doc, path, structuredClone(op.value), true);
    case "replace":
      return set(doc, path, structuredClone(op.value), false);
    case "remove":
      return remove(doc, path);
    case "copy":
      return set(doc, path, structuredClone(at(doc, String(op.from ?? ""))), true);
    case "move": {
      const v = at(doc, String(op.from ?? ""));
      return set(remove(doc, String(op.from ?? "")), path, v, true);
    }
    default:
      return doc;
  }
}
