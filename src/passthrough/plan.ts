// One passthrough call's command, parsed once and validated at most once per mode. The confirmation
// question, the pre-check that marks a call refused on every cluster, and each cluster's run all read
// the same plan, so a command is never judged twice for the same mode in one call.
import { type CliRules, cliRuleRefusal } from "../config/cli-rules.js";
import type { Mode } from "../config/schema.js";
import type { Grammar } from "./grammar.js";
import { Refusal } from "./parse.js";
import { tokenize } from "./tokenize.js";
import { type Verdict, validate } from "./validate.js";

/** How a passthrough call gives its command: an argv array or one string (quotes respected, no shell). */
export interface CommandArgs {
  args?: string[];
  command?: string;
}

function argvOf(args: CommandArgs): string[] {
  if (args.args && args.command !== undefined) throw new Refusal("give either args or command, not both.");
  if (args.args) return args.args;
  if (args.command !== undefined) return tokenize(args.command);
  throw new Refusal('give the arguments as args (e.g. ["get", "pods"]) or as one command string.');
}

/** Runs `f`, returning its Refusal instead of throwing it; any other error is a bug and propagates. */
function refusedOr<T>(f: () => T): T | Refusal {
  try {
    return f();
  } catch (err) {
    if (err instanceof Refusal) return err;
    throw err;
  }
}

export class CallPlan {
  private readonly verdicts = new Map<Mode, Verdict | Refusal>();
  private readonly parsed: string[] | Refusal;

  constructor(
    readonly grammar: Grammar,
    command: CommandArgs,
  ) {
    this.parsed = refusedOr(() => argvOf(command));
  }

  /** The model's argv; throws the Refusal when the command could not be read (both forms, a stray quote…). */
  get argv(): string[] {
    if (this.parsed instanceof Refusal) throw this.parsed;
    return this.parsed;
  }

  /** Why the command could not be read at all (both forms given, a stray quote…), or undefined. */
  get unreadable(): string | undefined {
    return this.parsed instanceof Refusal ? this.parsed.message : undefined;
  }

  /** The verdict in `mode`: validated the first time it is asked for, remembered after. Throws its Refusal. */
  verdict(mode: Mode): Verdict {
    let v = this.verdicts.get(mode);
    if (!v) {
      v = refusedOr(() => validate(this.argv, this.grammar, mode));
      this.verdicts.set(mode, v);
    }
    if (v instanceof Refusal) throw v;
    return v;
  }

  /** Why kube-mcp's grammar refuses the command in `mode`, or undefined when it allows it. */
  refused(mode: Mode): string | undefined {
    const v = refusedOr(() => this.verdict(mode));
    return v instanceof Refusal ? v.message : undefined;
  }

  /**
   * Why the operator's rule file refuses the command, which the grammar allows in `mode`: the file only
   * adds refusals to what kube-mcp's own grammar allowed.
   */
  ruled(mode: Mode, rules: CliRules | undefined): string | undefined {
    return cliRuleRefusal(rules, this.grammar.binary, this.argv, this.verdict(mode).path);
  }
}
