import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** How speech is transcribed: a command with `{wav}` where the 16 kHz mono WAV's path goes. */
export interface AsrCommand {
  name: string;
  command: string;
  args: string[];
}

/** Debian's pocketsphinx (US English model): `pocketsphinx_continuous -infile <wav>` prints the hypothesis. */
export const pocketsphinx: AsrCommand = {
  name: "pocketsphinx",
  command: "pocketsphinx_continuous",
  args: ["-infile", "{wav}", "-logfn", "/dev/null"],
};

/** An ASR command from a shell-like string (`whisper-cli -f {wav}`); `{wav}` is appended when absent. */
export function parseAsrCommand(text: string): AsrCommand {
  const parts = text.match(/"[^"]*"|'[^']*'|\S+/g)?.map((part) => part.replace(/^["']|["']$/g, "")) ?? [];
  const [command, ...args] = parts;
  if (!command) throw new RangeError("--asr-command: expected a command, found an empty string");
  return { name: command, command, args: args.some((a) => a.includes("{wav}")) ? args : [...args, "{wav}"] };
}

/** The default ASR if one is installed (pocketsphinx), else null. */
export async function findAsr(): Promise<AsrCommand | null> {
  try {
    await run("pocketsphinx_continuous", ["-h"], { timeout: 10_000 });
    return pocketsphinx;
  } catch (error) {
    // pocketsphinx_continuous -h exits non-zero but runs; ENOENT means it is not installed.
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? null : pocketsphinx;
  }
}

/** The text the ASR command prints for a WAV (stdout, whitespace collapsed). */
export async function transcribe(asr: AsrCommand, wavPath: string): Promise<string> {
  const args = asr.args.map((arg) => arg.replaceAll("{wav}", wavPath));
  const { stdout } = await run(asr.command, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout.replace(/\s+/g, " ").trim();
}
