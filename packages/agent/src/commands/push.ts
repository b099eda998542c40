// PLACEHOLDER until `agent push` lands (issue 6).
export async function runPushCommand(_argv: string[]): Promise<number> {
  process.stderr.write("agent push: not built yet\n");
  return 1;
}
