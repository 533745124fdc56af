import { describe, expect, it } from "vitest";
import { applyFilters, FilterError, FilterSchema, type FilterStep } from "./filter.js";
import { prng } from "./testkit.js";

const pods = JSON.stringify(
  {
    apiVersion: "v1",
    kind: "List",
    items: [
      pod("web-0", "shop", "node-a", "Running", 0),
      pod("web-1", "shop", "node-b", "Running", 3),
      pod("worker-0", "jobs", "node-a", "Pending", 0),
      pod("db-0", "shop", undefined, "Failed", 12),
    ],
  },
  null,
  2,
);
function pod(name: string, namespace: string, nodeName: string | undefined, phase: string, restarts: number) {
  return {
    metadata: { name, namespace, labels: { app: name.split("-")[0], "app.kubernetes.io/part-of": "demo" } },
    spec: { ...(nodeName && { nodeName }), containers: [{ name: "main", image: `example/${name}:1.0` }] },
    status: {
      phase,
      containerStatuses: [{ name: "main", restartCount: restarts, ready: phase === "Running" }],
    },
  };
}

const top = [
  "NAME       CPU(cores)   MEMORY(bytes)",
  "web-0      250m         1Gi",
  "web-1      1            128Mi",
  "worker-0   50m          512Mi",
  "db-0       2            2Gi",
].join("\n");

const events = [
  "Normal   Pulled     pod/web-0",
  "Warning  BackOff    pod/db-0",
  "Normal   Started    pod/web-0",
  "Warning  BackOff    pod/db-0",
  "Warning  Unhealthy  pod/web-1",
  "Warning  BackOff    pod/db-0",
  "Normal   Pulled     pod/web-1",
].join("\n");

const cases: [string, string, FilterStep[], string][] = [
  // grep
  ["grep keeps matching lines", "a\nb\nab\n", [{ op: "grep", pattern: "a" }], "a\nab\n"],
  ["grep -v", "a\nb\nab\n", [{ op: "grep", pattern: "a", invert: true }], "b\n"],
  [
    "grep -i",
    "Error\nok\nERROR x\n",
    [{ op: "grep", pattern: "error", ignoreCase: true }],
    "Error\nERROR x\n",
  ],
  ["grep regex anchors", "web-0\nold-web\n", [{ op: "grep", pattern: "^web-\\d$" }], "web-0\n"],
  [
    "grep -F treats regex characters literally",
    "a.b\naxb\n",
    [{ op: "grep", pattern: "a.b", fixed: true }],
    "a.b\n",
  ],
  ["grep -F -i", "A.B\nb\n", [{ op: "grep", pattern: "a.b", fixed: true, ignoreCase: true }], "A.B\n"],
  ["grep non-capturing group repeated", "abab\nba\n", [{ op: "grep", pattern: "^(?:ab)+$" }], "abab\n"],
  [
    "grep unicode",
    "café\ncafe\n日本語\n😀 ok\n",
    [{ op: "grep", pattern: "é|本|😀" }],
    "café\n日本語\n😀 ok\n",
  ],
  ["grep on empty input", "", [{ op: "grep", pattern: "x" }], ""],
  ["grep with no match", "a\n", [{ op: "grep", pattern: "x" }], ""],
  ["no trailing newline still ends in one", "a\nb", [{ op: "grep", pattern: "b" }], "b\n"],
  ["CRLF input loses the CR", "a\r\nb\r\n", [{ op: "grep", pattern: "a$" }], "a\n"],
  ["blank lines are lines", "a\n\nb\n", [{ op: "grep", pattern: "^$" }], "\n"],
  // head / tail
  ["head", "1\n2\n3\n", [{ op: "head", lines: 2 }], "1\n2\n"],
  ["head past the end", "1\n2\n", [{ op: "head", lines: 10 }], "1\n2\n"],
  ["tail", "1\n2\n3\n", [{ op: "tail", lines: 2 }], "2\n3\n"],
  ["tail past the end", "1\n2", [{ op: "tail", lines: 5 }], "1\n2\n"],
  ["tail on empty", "", [{ op: "tail", lines: 1 }], ""],
  // sort
  ["sort", "b\na\nc\n", [{ op: "sort" }], "a\nb\nc\n"],
  ["sort -r", "b\na\nc\n", [{ op: "sort", reverse: true }], "c\nb\na\n"],
  ["sort -u", "b\na\nb\n", [{ op: "sort", unique: true }], "a\nb\n"],
  ["sort lexical puts 10 before 9", "9\n10\n", [{ op: "sort" }], "10\n9\n"],
  ["sort -n", "9\n10\n-1\n1.5\n", [{ op: "sort", numeric: true }], "-1\n1.5\n9\n10\n"],
  ["sort -n keeps non-numbers first", "10\nNAME\n2\n", [{ op: "sort", numeric: true }], "NAME\n2\n10\n"],
  [
    "sort -n understands quantities (kubectl top)",
    top,
    [{ op: "sort", numeric: true, key: 3, reverse: true }],
    "db-0       2            2Gi\nweb-0      250m         1Gi\nworker-0   50m          512Mi\nweb-1      1            128Mi\nNAME       CPU(cores)   MEMORY(bytes)\n",
  ],
  [
    "sort -k2 -n with millicores",
    top,
    [
      { op: "sort", numeric: true, key: 2 },
      { op: "cut", fields: "1" },
    ],
    "NAME\nworker-0\nweb-0\nweb-1\ndb-0\n",
  ],
  ["sort by a missing key sorts as empty", "a 2\nb\nc 1\n", [{ op: "sort", key: 2 }], "b\nc 1\na 2\n"],
  [
    "sort -u by key keeps the first of equal keys",
    "b 1\na 1\nc 2\n",
    [{ op: "sort", key: 2, unique: true }],
    "a 1\nc 2\n",
  ],
  ["sort unicode by code unit", "é\ne\nz\n", [{ op: "sort" }], "e\nz\né\n"],
  ["sort empty", "", [{ op: "sort" }], ""],
  // uniq
  ["uniq drops adjacent duplicates only", "a\na\nb\na\n", [{ op: "uniq" }], "a\nb\na\n"],
  ["uniq -c", "a\na\nb\n", [{ op: "uniq", count: true }], "      2 a\n      1 b\n"],
  ["uniq empty", "", [{ op: "uniq", count: true }], ""],
  // wc
  ["wc -l", "a\nb\n", [{ op: "wc" }], "2\n"],
  ["wc -l counts an unterminated last line", "a\nb", [{ op: "wc", what: "lines" }], "2\n"],
  ["wc -l of nothing", "", [{ op: "wc" }], "0\n"],
  ["wc -w", " a b\n\tc  d \n\n", [{ op: "wc", what: "words" }], "4\n"],
  ["wc -c counts UTF-8 bytes", "é\n", [{ op: "wc", what: "bytes" }], "3\n"],
  ["wc -c after CRLF normalisation", "ab\r\n", [{ op: "wc", what: "bytes" }], "3\n"],
  // cut
  ["cut fields and a range", "a b c d e f\n", [{ op: "cut", fields: "1,3-5" }], "a c d e\n"],
  ["cut open range", "a b c\n", [{ op: "cut", fields: "2-" }], "b c\n"],
  ["cut leading range", "a b c\n", [{ op: "cut", fields: "-2" }], "a b\n"],
  ["cut keeps the order asked for", "a b c\n", [{ op: "cut", fields: "3,1" }], "c a\n"],
  ["cut with runs of whitespace", "  web-0    1/1   Running\n", [{ op: "cut", fields: "3" }], "Running\n"],
  ["cut with a delimiter", "a:b:c\nd::f\n", [{ op: "cut", fields: "1,3", delimiter: ":" }], "a:c\nd:f\n"],
  ["cut missing fields give empty", "a\n", [{ op: "cut", fields: "2" }], "\n"],
  ["cut unicode", "日本 語\n", [{ op: "cut", fields: "2" }], "語\n"],
  // jq
  [
    "jq select Running names",
    pods,
    [{ op: "jq", query: '.items[] | select(.status.phase == "Running") | .metadata.name', raw: true }],
    "web-0\nweb-1\n",
  ],
  ["jq without raw quotes strings", pods, [{ op: "jq", query: ".items[0].metadata.name" }], '"web-0"\n'],
  ["jq length", pods, [{ op: "jq", query: ".items | length" }], "4\n"],
  [
    "jq array construction",
    pods,
    [{ op: "jq", query: "[.items[].metadata.name]" }],
    '["web-0","web-1","worker-0","db-0"]\n',
  ],
  [
    "jq object construction",
    pods,
    [{ op: "jq", query: ".items[] | {name: .metadata.name, node: .spec.nodeName}" }],
    '{"name":"web-0","node":"node-a"}\n{"name":"web-1","node":"node-b"}\n{"name":"worker-0","node":"node-a"}\n{"name":"db-0","node":null}\n',
  ],
  [
    "jq label with dots and slashes",
    pods,
    [{ op: "jq", query: '.items[0].metadata.labels["app.kubernetes.io/part-of"]', raw: true }],
    "demo\n",
  ],
  [
    "jq numeric comparison and and",
    pods,
    [
      {
        op: "jq",
        query:
          '.items[] | select(.status.containerStatuses[0].restartCount > 0 and .metadata.namespace == "shop") | .metadata.name',
        raw: true,
      },
    ],
    "web-1\ndb-0\n",
  ],
  [
    "jq regex test",
    pods,
    [{ op: "jq", query: '.items[] | select(.metadata.name | test("^w.*-0$")) | .metadata.name', raw: true }],
    "web-0\nworker-0\n",
  ],
  [
    "jq alternative for missing values",
    pods,
    [{ op: "jq", query: '.items[] | .spec.nodeName // "<none>"', raw: true }],
    "node-a\nnode-b\nnode-a\n<none>\n",
  ],
  [
    "jq comma operator",
    pods,
    [{ op: "jq", query: ".items[3] | .metadata.name, .status.phase", raw: true }],
    "db-0\nFailed\n",
  ],
  [
    "jq map and join",
    pods,
    [{ op: "jq", query: '.items | map(.metadata.namespace) | unique | join(",")', raw: true }],
    "jobs,shop\n",
  ],
  ["jq keys", pods, [{ op: "jq", query: ".items[0] | keys" }], '["metadata","spec","status"]\n'],
  [
    "jq images",
    pods,
    [{ op: "jq", query: ".items[1].spec.containers[].image", raw: true }],
    "example/web-1:1.0\n",
  ],
  ["jq on empty input yields nothing", "", [{ op: "jq", query: "." }], ""],
  [
    "jq on JSON lines",
    '{"level":"error","msg":"a"}\n{"level":"info","msg":"b"}\n',
    [{ op: "jq", query: 'select(.level == "error") | .msg', raw: true }],
    "a\n",
  ],
  [
    "jq raw strings with newlines become lines",
    '["a\\nb"]',
    [{ op: "jq", query: ".[]", raw: true }, { op: "wc" }],
    "2\n",
  ],
  ["jq on CRLF JSON", '{"a":\r\n1}\r\n', [{ op: "jq", query: ".a" }], "1\n"],
  ["jq unicode", '{"名前":"日本😀"}', [{ op: "jq", query: '.["名前"]', raw: true }], "日本😀\n"],
  // chains
  [
    "grep | sort | uniq -c | head, like a shell pipeline",
    events,
    [
      { op: "grep", pattern: "^Warning" },
      { op: "cut", fields: "2" },
      { op: "sort" },
      { op: "uniq", count: true },
      { op: "sort", numeric: true, reverse: true },
      { op: "head", lines: 1 },
    ],
    "      3 BackOff\n",
  ],
  [
    "jq then line steps",
    pods,
    [
      { op: "jq", query: ".items[] | .spec.nodeName // empty", raw: true },
      { op: "sort" },
      { op: "uniq", count: true },
    ],
    "      2 node-a\n      1 node-b\n",
  ],
  ["tail then wc", "1\n2\n3\n", [{ op: "tail", lines: 2 }, { op: "wc" }], "2\n"],
];

describe("applyFilters", () => {
  it.each(cases)("%s", async (_name, input, steps, expected) => {
    expect(await applyFilters(input, steps)).toBe(expected);
  });

  it("returns the text unchanged when there are no steps", async () => {
    expect(await applyFilters("a\r\nb", [])).toBe("a\r\nb");
  });
});

const errors: [string, FilterStep[], RegExp][] = [
  ["invalid regex", [{ op: "grep", pattern: "(" }], /step 1 \(grep\).*fixed: true/],
  [
    "a back-reference",
    [{ op: "grep", pattern: "(\\w+) \\1" }],
    /^filter step 1 \(grep\): back-references \(\\1, \\k<name>\) are not supported: .*exponential time\. .*grep -F/,
  ],
  [
    "a lookahead",
    [{ op: "grep", pattern: "web(?!-0)" }],
    /lookahead \(\(\?=…\), \(\?!…\)\) is not supported: .*exponential time\. Use several grep steps/,
  ],
  [
    "a lookbehind",
    [{ op: "grep", pattern: "(?<=name: )web" }],
    /lookbehind \(\(\?<=…\), \(\?<!…\)\) is not supported: .*exponential time/,
  ],
  [
    "a huge counted repeat",
    [{ op: "grep", pattern: "a{1000}", ignoreCase: true }],
    /counted repeats such as \{1000\} are not supported beyond \{16\}.*exponential time\. Split the count/,
  ],
  ["pattern too long", [{ op: "grep", pattern: "a".repeat(301) }], /limit is 300/],
  ["cut field 0", [{ op: "cut", fields: "0" }], /1-based fields and ranges like "1,3-5"/],
  ["cut letters", [{ op: "cut", fields: "a" }], /not a field list/],
  ["cut reversed range", [{ op: "cut", fields: "3-1" }], /not a field list/],
  ["cut empty", [{ op: "cut", fields: "" }], /not a field list/],
  ["cut lone dash", [{ op: "cut", fields: "1,-" }], /not a field list/],
  ["jq unbalanced paren", [{ op: "jq", query: "(.a" }], /expected "\)".*Supported jq/],
  ["jq unbalanced bracket", [{ op: "jq", query: "[.a" }], /expected "\]"/],
  ["jq trailing paren", [{ op: "jq", query: ".a)" }], /unexpected "\)"/],
  [
    "jq unknown function",
    [{ op: "jq", query: ".items | frobnicate" }],
    /unknown function frobnicate.*Supported jq/,
  ],
  ["jq dashed key hint", [{ op: "jq", query: ".metadata.generate-name" }], /write \.\["my-key"\]/],
  ["jq variables", [{ op: "jq", query: ".items[] as $p | $p" }], /not supported: "as"/],
  ["jq if", [{ op: "jq", query: "if . then 1 else 2 end" }], /"if" is not supported/],
  ["jq recursive descent", [{ op: "jq", query: ".. | .name?" }], /not supported/],
  ["jq interpolation", [{ op: "jq", query: '"\\(.a)"' }], /interpolation is not supported/],
  [
    "jq test with a back-reference, which ? does not hide",
    [{ op: "jq", query: '.items[] | select(.metadata.name | test("(.)\\\\1"))?' }],
    /step 1 \(jq\): back-references .* not supported/,
  ],
  ["jq invalid JSON", [{ op: "jq", query: "." }], /input is not JSON.*-o json/],
  ["jq iterating null", [{ op: "jq", query: ".items[].spec.volumes[]" }], /cannot iterate over null.*\[\]\?/],
  [
    "error names the failing step",
    [
      { op: "head", lines: 1 },
      { op: "grep", pattern: "[" },
    ],
    /^filter step 2 \(grep\)/,
  ],
];

describe("applyFilters errors", () => {
  it.each(errors)("%s", async (name, steps, message) => {
    const input = name === "jq invalid JSON" ? "NAME READY\nweb-0 1/1\n" : pods;
    await expect(applyFilters(input, steps)).rejects.toThrow(FilterError);
    await expect(applyFilters(input, steps)).rejects.toThrow(message);
  });

  it("stops with a FilterError once its deadline has passed", async () => {
    await expect(applyFilters("a\n", [{ op: "grep", pattern: "a" }], { deadlineMs: 0 })).rejects.toThrow(
      /^filter step 1 \(grep\): filtering ran past its 0 ms deadline; narrow the command's output first/,
    );
    await expect(applyFilters(pods, [{ op: "jq", query: "." }], { deadlineMs: 0 })).rejects.toThrow(
      /step 1 \(jq\): filtering ran past/,
    );
  });

  it("stops with the signal's reason when the call is cancelled", async () => {
    const abort = new AbortController();
    abort.abort(new Error("cancelled by the client"));
    const steps: FilterStep[] = [{ op: "grep", pattern: "a" }];
    await expect(applyFilters("a\n", steps, { signal: abort.signal })).rejects.toThrow(
      "cancelled by the client",
    );
  });
});

describe("applyFilters under adversarial patterns", () => {
  // Each pattern backtracks exponentially on these lines in a backtracking engine; finishing with the
  // right lines is the proof, no timing is measured.
  const as = "a".repeat(5_000);
  const words = "word ".repeat(1_000);
  it.each([
    ["(a|aa)+$", `${as}b\n${as}\n`, [{ op: "grep", pattern: "(a|aa)+$" }], `${as}\n`],
    ["(a*)*b", `${as}\n${as}b\n`, [{ op: "grep", pattern: "(a*)*b" }], `${as}b\n`],
    ["^(\\w+\\s?)*$", `${words}!\n${words}\n`, [{ op: "grep", pattern: "^(\\w+\\s?)*$" }], `${words}\n`],
    [
      "(a+)+$ -i -v",
      `${as}!\nok\n`,
      [{ op: "grep", pattern: "^(A+)+$", ignoreCase: true, invert: true }],
      `${as}!\nok\n`,
    ],
    [
      "jq test with (a|aa)+$",
      JSON.stringify([`${as}b`, as]),
      [{ op: "jq", query: '.[] | select(test("^(a|aa)+$")) | length' }],
      "5000\n",
    ],
  ] as [string, string, FilterStep[], string][])("%s", async (_name, input, steps, expected) => {
    expect(await applyFilters(input, steps)).toBe(expected);
  });

  it("hands the event loop to other work while it filters", async () => {
    const text = `${"a".repeat(200)}b\n`.repeat(20_000);
    const order: string[] = [];
    const heavy = applyFilters(text, [{ op: "grep", pattern: "(a|aa)+$" }, { op: "wc" }], {
      deadlineMs: 600_000,
    }).then((out) => order.push(`filter:${out.trim()}`));
    setImmediate(() => order.push("other"));
    await heavy;
    expect(order).toEqual(["other", "filter:0"]);
  });
});

describe("FilterSchema", () => {
  it("accepts a pipeline", () => {
    const steps = [
      { op: "grep", pattern: "x", invert: true },
      { op: "head", lines: 5 },
      { op: "jq", query: "." },
    ];
    expect(FilterSchema.parse(steps)).toEqual(steps);
    expect(FilterSchema.parse(undefined)).toBeUndefined();
  });

  it.each([
    ["unknown op", [{ op: "awk", program: "{print $1}" }], /Expected 'grep' \| 'head'/],
    ["zero lines", [{ op: "head", lines: 0 }], />=1/],
    ["too many lines", [{ op: "tail", lines: 100_001 }], /<=100000/],
    ["fractional lines", [{ op: "head", lines: 1.5 }], /expected int/],
    ["missing pattern", [{ op: "grep" }], /pattern/],
    ["bad wc unit", [{ op: "wc", what: "chars" }], /lines.*words.*bytes/],
    ["too many steps", Array.from({ length: 11 }, () => ({ op: "wc" })), /<=10/],
  ])("rejects %s", (_name, steps, message) => {
    const r = FilterSchema.safeParse(steps);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});

/** mulberry32: a small seeded PRNG, so a failing fuzz case can be replayed. */

describe("fuzz", () => {
  const rand = prng(0xc0ffee);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const maybe = <T>(v: T): T | undefined => (rand() < 0.5 ? v : undefined);

  const fragments = [
    "web-0 1/1 Running 0 5d",
    "NAME READY",
    "250m",
    "2Gi",
    "é",
    "日本",
    "😀",
    "",
    " ",
    "\t",
    "a",
    "aaa",
  ];
  const json = ['{"a":1}', "[1,2,[3]]", '{"items":[{"metadata":{"name":"x"}}]}', '"s"', "null", "{", "]"];
  const patterns = [
    "a",
    "^w",
    "\\d+",
    "(a+)+",
    "(",
    "a|b",
    "(?:ab)*",
    "x{2,}",
    "[a-",
    ".*.*",
    "é",
    "(a|b)*",
    "a.*b.*c.*d",
  ];
  const fields = ["1", "2-", "1,3-5", "-2", "3,1", "0", "a", "", "2-1"];
  const jqTokens = [
    ".",
    ".a",
    ".items",
    "[",
    "]",
    "[]",
    "|",
    ",",
    "select(",
    "map(",
    ")",
    "length",
    "keys",
    "{",
    "}",
  ];
  const jqMore = [
    "a:",
    "1",
    "-1",
    '"x"',
    "==",
    "<",
    "//",
    "?",
    "+",
    "..",
    "$x",
    "not",
    "and",
    "test(",
    "sort_by(",
  ];

  function text(): string {
    if (rand() < 0.3) return pick(json) + (rand() < 0.5 ? "\n" : "");
    const lines = Array.from({ length: int(8) }, () =>
      Array.from({ length: int(4) }, () => pick(fragments)).join(pick([" ", "", ":", "\t"])),
    );
    return lines.join(pick(["\n", "\r\n"])) + (rand() < 0.5 ? "\n" : "");
  }

  function step(): FilterStep {
    switch (pick(["grep", "head", "tail", "sort", "uniq", "wc", "cut", "jq"] as const)) {
      case "grep":
        return {
          op: "grep",
          pattern: pick(patterns),
          invert: maybe(true),
          ignoreCase: maybe(true),
          fixed: maybe(true),
        };
      case "head":
        return { op: "head", lines: 1 + int(10) };
      case "tail":
        return { op: "tail", lines: 1 + int(10) };
      case "sort":
        return {
          op: "sort",
          numeric: maybe(true),
          reverse: maybe(true),
          key: maybe(1 + int(4)),
          unique: maybe(true),
        };
      case "uniq":
        return { op: "uniq", count: maybe(true) };
      case "wc":
        return { op: "wc", what: maybe(pick(["lines", "words", "bytes"] as const)) };
      case "cut":
        return { op: "cut", fields: pick(fields), delimiter: maybe(pick([":", " ", "-"])) };
      case "jq": {
        const query = Array.from({ length: 1 + int(6) }, () => pick(rand() < 0.7 ? jqTokens : jqMore)).join(
          " ",
        );
        return { op: "jq", query, raw: maybe(true) };
      }
    }
  }

  it("lets only FilterError escape and gives the same output twice", async () => {
    let failures = 0;
    for (let i = 0; i < 2_000; i++) {
      const input = text();
      const steps = Array.from({ length: 1 + int(4) }, step);
      const run = async () => {
        try {
          return { out: await applyFilters(input, steps) };
        } catch (e) {
          if (!(e instanceof FilterError))
            throw new Error(`case ${i} ${JSON.stringify({ input, steps })}: ${e}`);
          return { error: e.message };
        }
      };
      const first = await run();
      expect(await run(), JSON.stringify({ i, input, steps })).toEqual(first);
      if (first.out !== undefined) expect(first.out === "" || first.out.endsWith("\n")).toBe(true);
      else failures++;
    }
    // The generator mixes valid and invalid steps; both paths must be exercised.
    expect(failures).toBeGreaterThan(200);
    expect(failures).toBeLessThan(1_800);
  });
});
