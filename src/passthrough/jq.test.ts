import { describe, expect, it } from "vitest";
import { JqError, runJq } from "./jq.js";

const regex = (p: string, ignoreCase: boolean) => {
  const re = new RegExp(p, ignoreCase ? "i" : "");
  return (s: string) => re.test(s);
};
const jq = (input: unknown, query: string, raw = false) =>
  runJq(typeof input === "string" ? input : JSON.stringify(input), query, { raw, regex });

const doc = {
  a: { b: 1, "b-c": "dash", list: [10, 20, 30] },
  s: "hello",
  n: null,
  f: false,
  items: [
    { name: "x", v: 3, tags: ["a"] },
    { name: "y", v: 1, tags: [] },
    { name: "z", v: 2 },
  ],
};

const cases: [string, string, string[]][] = [
  ["identity", ".", [JSON.stringify(doc)]],
  ["field chain", ".a.b", ["1"]],
  ["missing field is null", ".a.nope.deeper", ["null"]],
  ["bracket string key", '.a["b-c"]', ['"dash"']],
  ["quoted field", '.a."b-c"', ['"dash"']],
  ["index", ".a.list[1]", ["20"]],
  ["negative index", ".a.list[-1]", ["30"]],
  ["index past the end is null", ".a.list[9]", ["null"]],
  ["index from an expression", ".a.list[.a.b]", ["20"]],
  ["slice", ".a.list[1:]", ["[20,30]"]],
  ["slice to", ".a.list[:-1]", ["[10,20]"]],
  ["string slice", ".s[1:3]", ['"el"']],
  ["iterate array", ".a.list[]", ["10", "20", "30"]],
  ["iterate object values", ".a | [.[]] | length", ["3"]],
  ["dot before bracket", ".a.list.[0]", ["10"]],
  ["optional iterate skips non-iterables", "[.items[].tags[]?]", ['["a"]']],
  ["optional on a whole expression", "[.items[] | .tags[0]?]", ['["a",null,null]']],
  ["pipe", ".items[] | .name", ['"x"', '"y"', '"z"']],
  ["comma", ".s, .a.b", ['"hello"', "1"]],
  ["parentheses", "(.a | .b), .s", ["1", '"hello"']],
  ["literals", '1, -2.5, "x", true, false, null', ["1", "-2.5", '"x"', "true", "false", "null"]],
  ["equality", '.s == "hello", .a.b != 1', ["true", "false"]],
  [
    "ordering across types",
    'null < false, false < true, true < 0, 1 < "a", "b" < [], [] < {}',
    Array(6).fill("true"),
  ],
  ["deep equality", '.a.list == [10,20,30], {"x":1,"y":2} == {"y":2,"x":1}', ["true", "true"]],
  ["and or", "true and null, false or 1, .n or .f", ["false", "true", "false"]],
  ["alternative", '.n // .f // "d", .s // "d"', ['"d"', '"hello"']],
  ["alternative swallows errors", '.s[] // "fallback"', ['"fallback"']],
  [
    "plus",
    '1 + 2, "a" + "b", [1] + [2], {"a":1} + {"b":2}, null + 1',
    ["3", '"ab"', "[1,2]", '{"a":1,"b":2}', "1"],
  ],
  ["minus", "5 - 2, [1,2,3] - [2]", ["3", "[1,3]"]],
  ["select equality", '.items[] | select(.name == "y") | .v', ["1"]],
  ["select comparison", ".items[] | select(.v >= 2) | .name", ['"x"', '"z"']],
  ["select truthy path", ".items[] | select(.tags) | .name", ['"x"', '"y"']],
  ["select not", ".items[] | select(.tags | not) | .name", ['"z"']],
  ["select test", '.items[] | select(.name | test("^[xz]$")) | .name', ['"x"', '"z"']],
  ["test ignore case", '"ABC" | test("b"; "i")', ["true"]],
  ["length of kinds", '.a.list, .s, .a, .n, -3, "日本😀" | length', ["3", "5", "3", "0", "3", "3"]],
  ["keys sorted", ".a | keys", ['["b","b-c","list"]']],
  ["keys of array", ".a.list | keys", ["[0,1,2]"]],
  ["map", ".items | map(.v)", ["[3,1,2]"]],
  ["array construction", "[.items[].name]", ['["x","y","z"]']],
  ["empty array", "[]", ["[]"]],
  ["object construction", ".items[0] | {name, value: .v, (.name): 1}", ['{"name":"x","value":3,"x":1}']],
  ["object with a string key and a pipe value", '{"a-b": .items | length}', ['{"a-b":3}']],
  ["object cartesian product", "{a: (1,2), b: (3,4)} | [.a, .b]", ["[1,3]", "[1,4]", "[2,3]", "[2,4]"]],
  ["empty object", "{}", ["{}"]],
  ["has", '.a | has("b"), has("zz")', ["true", "false"]],
  ["join and split", '.items | map(.name) | join("-") | split("-")', ['["x","y","z"]']],
  ["add", ".items | map(.v) | add", ["6"]],
  ["add of empty is null", "[] | add", ["null"]],
  ["first last", ".a.list | first, last", ["10", "30"]],
  ["sort and unique", "[3,1,2,1] | sort, unique", ["[1,1,2,3]", "[1,2,3]"]],
  ["sort_by", ".items | sort_by(.v) | map(.name)", ['["y","z","x"]']],
  ["to_entries", '{"k":"v"} | to_entries', ['[{"key":"k","value":"v"}]']],
  [
    "type",
    ".a, .a.list, .s, .a.b, .n, .f | type",
    ['"object"', '"array"', '"string"', '"number"', '"null"', '"boolean"'],
  ],
  ["tostring tonumber", '1 | tostring, ("42" | tonumber)', ['"1"', "42"]],
  [
    "string functions",
    '.s | startswith("he"), endswith("lo"), ("ABC" | ascii_downcase)',
    ["true", "true", '"abc"'],
  ],
  ["empty yields nothing", ".items[] | empty", []],
];

describe("runJq", () => {
  it.each(cases)("%s: %s", (_name, query, expected) => {
    expect(jq(doc, query)).toEqual(expected);
  });

  it("reads JSON lines, such as structured logs, one value per line", () => {
    expect(jq('{"a":1}\n\n{"a":2}\n', ".a")).toEqual(["1", "2"]);
  });

  it("gives no results for empty input", () => {
    expect(jq("   \n", ".")).toEqual([]);
  });

  it("prints strings raw only when asked", () => {
    expect(jq(doc, ".s", true)).toEqual(["hello"]);
    expect(jq(doc, ".a", true)).toEqual(['{"b":1,"b-c":"dash","list":[10,20,30]}']);
  });

  it("reads only own properties, never the prototype", () => {
    expect(jq("{}", ".constructor, .__proto__, .toString")).toEqual(["null", "null", "null"]);
    expect(jq('{"__proto__":{"x":1}}', ".__proto__.x")).toEqual(["1"]);
    expect(jq("{}", '{("__proto__"): 1} | keys')).toEqual(['["__proto__"]']);
  });
});

const errors: [string, string, RegExp][] = [
  ["unbalanced paren", "(.a", /expected "\)" at position 3/],
  ["unbalanced brace", "{a: .b", /expected "}"/],
  ["dangling pipe", ".a |", /query ends too early/],
  ["unterminated string", '.a == "x', /unterminated string/],
  ["single backslash in a string", '"a" | test("\\d")', /double each backslash, e.g. "\\\\d\+"/],
  ["unknown function", "frob(1)", /unknown function frob\/1.*functions: length keys map\(x\)/],
  ["wrong arity", "map", /unknown function map\/0/],
  ["variables", ".a as $x | $x", /not supported: "as"/],
  ["dollar", "$ENV", /"\$" \(variables, formats, \.\.\) is not supported/],
  ["formats", "@base64", /not supported/],
  ["reduce", "reduce .[] as $x (0; . + $x)", /"reduce" is not supported/],
  ["iterate a number", ".a.b[]", /cannot iterate over number \(1\)/],
  ["index a string", ".s.x", /cannot index string \("hello"\) with "x"/],
  ["add mismatched types", ".s + 1", /cannot add string/],
  ["keys of a string", ".s | keys", /keys needs an object/],
  ["test flags", '.s | test("h"; "x")', /only "i"/],
  ["query nested too deep", `${"(".repeat(70)}.${")".repeat(70)}`, /nested more than 64 levels/],
  ["query too long", `.a${" ".repeat(1000)}`, /limit is 1000/],
];

describe("runJq errors", () => {
  it.each(errors)("%s", (_name, query, message) => {
    expect(() => jq(doc, query)).toThrow(JqError);
    expect(() => jq(doc, query)).toThrow(message);
  });

  it("rejects input that is not JSON", () => {
    expect(() => jq("NAME READY\nweb-0 1/1", ".")).toThrow(
      /input is not JSON \(.*\); ask the command for JSON/,
    );
  });

  it("bounds the number of results", () => {
    const big = JSON.stringify(Array.from({ length: 100_001 }, (_, i) => i));
    expect(jq(big, "length")).toEqual(["100001"]);
    expect(() => jq(big, ".[]")).toThrow(/more than 100000 results/);
  });

  it("bounds the values a query produces, even under ? and //", () => {
    const arr = JSON.stringify(Array.from({ length: 2_000 }, (_, i) => i));
    expect(() => jq(arr, "[{a: .[], b: .[]}] | length")).toThrow(/more than 1000000 values/);
    expect(() => jq(arr, "([{a: .[], b: .[]}] | length)? // 0")).toThrow(/more than 1000000 values/);
  });

  it("asks its interrupt as it goes, and an interrupt stops it even under ? and //", () => {
    const arr = JSON.stringify(Array.from({ length: 5_000 }, (_, i) => i));
    let asked = 0;
    const count = () => {
      asked++;
    };
    expect(runJq(arr, "[.[] | . + 1] | length", { regex, interrupt: count })).toEqual(["5000"]);
    expect(asked).toBeGreaterThanOrEqual(5);
    const stop = () => {
      throw new Error("deadline");
    };
    expect(() => runJq(arr, "([.[] | . + 1] | length)? // 0", { regex, interrupt: stop })).toThrow(
      "deadline",
    );
  });

  it("bounds how far a value can grow", () => {
    const doubling = `${Array.from({ length: 40 }, () => ". + .").join(" | ")}`;
    expect(() => jq('"ab"', doubling)).toThrow(/grew past/);
  });

  it("turns stack exhaustion on deeply nested input into a JqError", () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    expect(() => jq(deep, ". == .")).toThrow(JqError);
  });
});
