// PLACEHOLDER until `agent exec` lands (issue 6).
export async function runExecCommand(_argv: string[]): Promise<number> {
  process.stderr.write("agent exec: not built yet\n");
  return 1;
}
