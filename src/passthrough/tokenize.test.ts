import { describe, expect, it } from "vitest";
import { TokenizeError, tokenize } from "./tokenize.js";

describe("tokenize", () => {
  it.each([
    ["get pods -n shop", ["get", "pods", "-n", "shop"]],
    ["  get\tpods  ", ["get", "pods"]],
    [`get pods -l 'tier in (a,b)'`, ["get", "pods", "-l", "tier in (a,b)"]],
    [
      `patch deploy web -p '{"spec":{"replicas":2}}'`,
      ["patch", "deploy", "web", "-p", '{"spec":{"replicas":2}}'],
    ],
    [`logs web -c "my container"`, ["logs", "web", "-c", "my container"]],
    [`get "a\\"b"`, ["get", 'a"b']],
    [`get a\\ b`, ["get", "a b"]],
    [`get ''`, ["get", ""]],
    [`get $HOME ~ *`, ["get", "$HOME", "~", "*"]],
    [
      `get pods --field-selector='status.phase!=Running'`,
      ["get", "pods", "--field-selector=status.phase!=Running"],
    ],
    [`exec web -- sh -c 'echo hi | wc -l'`, ["exec", "web", "--", "sh", "-c", "echo hi | wc -l"]],
    [`get '|'`, ["get", "|"]],
  ])("%s", (command, words) => {
    expect(tokenize(command)).toEqual(words);
  });

  it.each([
    ["get pods | grep web", /shell operator/],
    ["get pods; delete pods --all", /shell operator/],
    ["get pods && rm -rf /", /shell operator/],
    ["get pods > /tmp/x", /shell operator/],
    ["get $(whoami)", /shell operator/],
    ["get `id`", /shell operator/],
    ["get 'pods", /unbalanced single quote/],
    ['get "pods', /unbalanced double quote/],
    ["get pods\\", /lone backslash/],
  ])("refuses %s", (command, message) => {
    expect(() => tokenize(command)).toThrow(TokenizeError);
    expect(() => tokenize(command)).toThrow(message);
  });
});
