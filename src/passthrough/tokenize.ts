// The documented tokenizer for the passthrough tools' `command` string. It splits like a POSIX shell
// splits words and expands NOTHING: no variables, globs, ~, command substitution or escapes beyond
// quoting. Shell operators are refused (there is no shell to run them; `filter` replaces pipes).
//   - whitespace separates words;  'single quotes' keep everything literally;
//   - "double quotes" keep everything but \" and \\ ;  a backslash outside quotes keeps the next char.
import { Refusal } from "./parse.js";

/** A command string that is not one command: a Refusal like any other. */
export class TokenizeError extends Refusal {}

const OPERATORS = new Set(["2>", "2>&1", "&>"]);

export function tokenize(command: string): string[] {
  const words: string[] = [];
  let cur = "";
  let bare = ""; // the word's unquoted characters: only these can be shell operators
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new TokenizeError("unbalanced single quote in command");
      cur += command.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        if (command[j] === "\\" && (command[j + 1] === '"' || command[j + 1] === "\\")) j++;
        cur += command[j];
      }
      if (j >= command.length) throw new TokenizeError("unbalanced double quote in command");
      i = j;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= command.length) throw new TokenizeError("command ends with a lone backslash");
      cur += command[++i];
      inWord = true;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inWord) words.push(checkWord(cur, bare));
      cur = bare = "";
      inWord = false;
    } else {
      cur += c;
      bare += c;
      inWord = true;
    }
  }
  if (inWord) words.push(checkWord(cur, bare));
  return words;
}

function checkWord(word: string, bare: string): string {
  if (OPERATORS.has(bare) || /[|;&<>`]|\$\(/.test(bare)) {
    throw new TokenizeError(
      `"${word}" is a shell operator, and no shell runs these commands. Pass one command, and use the \`filter\` parameter (grep, head, tail, sort, uniq, wc, cut, jq) instead of pipes.`,
    );
  }
  return word;
}
