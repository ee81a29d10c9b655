import { access, readdir, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { makeWritableFolder } from "@vox/dsp/node";
import { CliError } from "./errors.js";

/** stderr lines (progress, notes); stdout is for results and --json. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * A numeric flag's value, parsed once: `--gl-iterations abc` is an error naming the flag and what it takes, never
 * NaN passed on. `integer` and `min` (inclusive) say what is allowed.
 */
export function numberFlag(flag: string, text: string, rule: { integer?: boolean; min?: number } = {}): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  const wanted = `${rule.integer ? "an integer" : "a number"}${rule.min !== undefined ? ` >= ${rule.min}` : ""}`;
  if (
    !Number.isFinite(value) ||
    (rule.integer && !Number.isInteger(value)) ||
    (rule.min !== undefined && value < rule.min)
  ) {
    throw new CliError(flag, wanted, JSON.stringify(text));
  }
  return value;
}

/** commander's parser of a numeric flag: the value parsed once, as the command line is read (see numberFlag). */
export function numberOption(flag: string, rule: { integer?: boolean; min?: number } = {}): (text: string) => number {
  return (text) => numberFlag(flag, text, rule);
}

/** Prints a result: JSON when asked, else the human text. */
export function output(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

export async function requireFolder(path: string, what: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new CliError(path, what, info ? "a file" : "no such folder");
  return resolve(path);
}

/**
 * `--ensemble a,b`: the run folders listed (comma-separated), each checked to be a folder; an empty entry is an
 * error naming the flag.
 */
export async function ensembleFolders(list: string | undefined): Promise<string[]> {
  if (list === undefined) return [];
  const runs = list.split(",");
  if (runs.some((run) => run.trim() === "")) {
    throw new CliError("--ensemble", "run folders separated by commas", JSON.stringify(list));
  }
  return Promise.all(runs.map((run) => requireFolder(run, "a vox run folder (--ensemble)")));
}

/** A folder we can write into (created if missing); a clear error when we cannot. */
export async function writableFolder(path: string): Promise<string> {
  try {
    await makeWritableFolder(path);
  } catch (error) {
    const { code, path: at } = error as NodeJS.ErrnoException;
    const found = code === "ENOTDIR" ? `ENOTDIR (${at} is not a folder)` : (code ?? String(error));
    throw new CliError(path, "a writable output folder", found);
  }
  return resolve(path);
}

/** Audio files from the arguments: files as given, folders searched (not recursively) for .wav/.flac. */
export async function audioInputs(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new CliError(input, "a WAV/FLAC file or a folder of them", "no such file");
    if (info.isDirectory()) {
      const names = (await readdir(input)).filter((n) => /\.(wav|flac)$/i.test(n)).sort();
      if (names.length === 0) throw new CliError(input, "a folder with .wav or .flac files", "none");
      files.push(...names.map((n) => join(input, n)));
    } else files.push(input);
  }
  return files;
}

export function stem(path: string): string {
  return basename(path, extname(path));
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * One output name per input, never the same twice: the file's stem, prefixed by its folder's name where two
 * inputs share a stem (corpora name every speaker's files s01, s02, ...), numbered if that still collides.
 */
export function uniqueStems(files: string[]): string[] {
  const counts = new Map<string, number>();
  for (const file of files) counts.set(stem(file), (counts.get(stem(file)) ?? 0) + 1);
  const taken = new Set<string>();
  return files.map((file) => {
    let name = (counts.get(stem(file)) ?? 0) > 1 ? `${basename(dirname(resolve(file)))}_${stem(file)}` : stem(file);
    for (let i = 2; taken.has(name); i++) name = `${name.replace(/_\d+$/, "")}_${i}`;
    taken.add(name);
    return name;
  });
}
