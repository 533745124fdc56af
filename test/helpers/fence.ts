// Every cluster tool's answer is one untrusted-data block (then any notes): the block's body, for tests
// that check what the model reads inside it.
export function inner(text: string): string {
  const m = /^<untrusted-data source="[^"]*">\n([\s\S]*?)\n?<\/untrusted-data>/.exec(text);
  if (!m) throw new Error(`not a fenced answer: ${text.slice(0, 200)}`);
  return m[1] as string;
}
