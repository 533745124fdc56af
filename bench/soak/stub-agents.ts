// Agents that speak the link protocol and nothing else: each answers every call with one row after a
// fixed delay, as if it fronted its own cluster that answers in that time. With them a fan-out over
// N agents measures the hub alone (its fan-out concurrency, its sockets, NATS between replicas),
// not one shared API server serving every "cluster", as bench/lib/fleet-agents.ts's agents do.
// Usage: tsx bench/soak/stub-agents.ts COUNT PORT[,PORT…] DELAY_MS   (TOKEN_PREFIX in env)
import WebSocket from "ws";

const count = Number(process.argv[2]);
const ports = String(process.argv[3]).split(",").map(Number);
const delayMs = Number(process.argv[4] ?? 50);
const prefix = process.env.TOKEN_PREFIX ?? "bench-agent-token-";
const hello = {
  type: "hello",
  agentVersion: "stub",
  versions: { kubernetes: "stub", kubectl: "stub", helm: "stub" },
  policy: { mode: "read-only", namespace: "default", revealSecrets: false },
  tools: ["resources_list"],
  supports: ["caller", "scope"],
};

function connect(name: string, port: number): void {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/agent`, ["kube-mcp.link.v1"], {
    headers: { authorization: `Bearer ${prefix}${name}`, "x-kube-mcp-cluster": name },
  });
  ws.on("error", () => {});
  ws.on("open", () => ws.send(JSON.stringify(hello)));
  ws.on("message", (d) => {
    const m = JSON.parse(String(d)) as { type: string; id?: number };
    if (m.type !== "call") return;
    setTimeout(() => {
      if (ws.readyState === WebSocket.OPEN)
        ws.send(
          JSON.stringify({
            type: "result",
            id: m.id,
            ok: true,
            data: { columns: ["NAME"], rows: [[name]], total: 1, empty: "none" },
          }),
        );
    }, delayMs);
  });
  ws.on("close", () => setTimeout(() => connect(name, port), 1000));
}

for (let i = 0; i < count; i++) connect(`agent-${i}`, ports[i % ports.length] as number);
process.stdout.write(`started ${count}\n`);
