/**
 * The script of the page `vox export-web` writes (bundled for the browser into vox-web.js): the run's generator
 * and statistics fetched from beside it, a dropped, chosen or recorded file converted to the picked voice in the
 * page (decoded, conditioned and converted by the same functions as `vox convert`), both spectrograms, the audio
 * and a download. Nothing leaves the page.
 */
import { conditionAudio, decodeAudioBytes } from "@vox/datasets/audio";
import {
  type ConversionPostfilter,
  encodeWav,
  featuresPng,
  type MonoAudio,
  type SpeakerFeatureStatistics,
} from "@vox/dsp";
import { type ConvertedRecording, convertRecording, initBrowserBackend, modelFromArtifacts } from "@vox/models";
import { type RunConversion, runConversion } from "@vox/train/conversion";

/** run.json: what the page needs of the run besides the generator (written by site.ts). */
export interface SiteRun {
  name: string;
  step: number;
  speakers: string[];
  statistics: Parameters<typeof runConversion>[2];
  known: Record<string, SpeakerFeatureStatistics>;
  postfilter: ConversionPostfilter;
}

/** One conversion as the page shows it. */
export interface PageConversion extends ConvertedRecording {
  /** The conditioned input (model rate, loudness-normalised), what was converted. */
  input: Float32Array;
  sampleRate: number;
  target: string;
  seconds: number;
}

type Stage = "decode" | "analyse" | "convert" | "synthesise";

async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: expected the exported file, found HTTP ${response.status}`);
  return response;
}

async function loadSite() {
  const run = (await (await fetchOk("run.json")).json()) as SiteRun;
  const backend = await initBrowserBackend(undefined, () => {}, { wasmPaths: new URL("./", location.href).href });
  const [metadata, manifest, weights] = await Promise.all([
    fetchOk("model/metadata.json").then((r) => r.json()),
    fetchOk("model/model.json").then((r) => r.json()),
    fetchOk("model/weights.bin").then((r) => r.arrayBuffer()),
  ]);
  const loaded = await modelFromArtifacts({ metadata, manifest, weights }, "model");
  const conversion: RunConversion = runConversion(
    loaded.metadata.featureSpec,
    loaded.metadata.speakers,
    run.statistics,
    run.postfilter,
  );
  return { run, backend: backend.name, ...loaded, conversion };
}

const site = loadSite();

/** A decoded recording (any rate, mono) converted to `target`; `onStage` is awaited before each stage. */
export async function convertAudio(
  audio: MonoAudio,
  name: string,
  target: string,
  onStage: (stage: Stage) => void | Promise<void> = () => {},
): Promise<PageConversion> {
  const { model, metadata, conversion, run } = await site;
  const started = performance.now();
  const label = metadata.speakers.indexOf(target);
  if (label < 0) throw new Error(`target: expected one of ${metadata.speakers.join(", ")}, found ${target}`);
  const spec = metadata.featureSpec;
  const input = conditionAudio(audio, spec.sampleRate, name);
  const result = await convertRecording(
    model,
    metadata.config.generator,
    conversion.map,
    input,
    {
      from: null,
      speakers: metadata.speakers,
      known: run.known,
      target: { label, statistics: conversion.speaker(target) },
    },
    {},
    onStage,
  );
  return { ...result, input, sampleRate: spec.sampleRate, target, seconds: (performance.now() - started) / 1000 };
}

/** A WAV or FLAC file's bytes converted to `target`: the drop handler's path. */
export async function convertBytes(
  bytes: Uint8Array,
  name: string,
  target: string,
  onStage: (stage: Stage) => void | Promise<void> = () => {},
): Promise<PageConversion> {
  await onStage("decode");
  return convertAudio(await decodeAudioBytes(bytes, name), name, target, onStage);
}

// The page itself: present only in the exported index.html (the module also loads in tests without it).
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;
const stageLabels: Record<Stage, string> = {
  decode: "decoding",
  analyse: "analysing (F0, envelope, aperiodicity)",
  convert: "converting with the generator",
  synthesise: "synthesising",
};
const redraw = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

function showStage(stage: Stage): Promise<void> {
  const order: Stage[] = ["decode", "analyse", "convert", "synthesise"];
  const bar = $<HTMLProgressElement>("progress");
  if (bar) bar.value = order.indexOf(stage);
  const status = $("status");
  if (status) status.textContent = `${stageLabels[stage]}...`;
  return redraw();
}

function blobUrl(bytes: Uint8Array, type: string): string {
  return URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
}

async function show(result: PageConversion, name: string): Promise<void> {
  const { metadata } = await site;
  const spec = metadata.featureSpec;
  const stem = name.replace(/\.[^.]+$/, "") || "recording";
  const inputWav = encodeWav(result.input, result.sampleRate);
  const outputWav = encodeWav(result.samples, result.sampleRate);
  const set = (id: string, attribute: string, value: string) => $(id)?.setAttribute(attribute, value);
  set("input-audio", "src", blobUrl(inputWav, "audio/wav"));
  set("output-audio", "src", blobUrl(outputWav, "audio/wav"));
  set("input-spectrogram", "src", blobUrl(featuresPng(result.features, spec), "image/png"));
  set("output-spectrogram", "src", blobUrl(featuresPng(result.converted, spec), "image/png"));
  set("download", "href", blobUrl(outputWav, "audio/wav"));
  set("download", "download", `${stem}__to__${result.target}.wav`);
  const bar = $<HTMLProgressElement>("progress");
  if (bar) bar.value = 4;
  const status = $("status");
  if (status) {
    status.textContent = `${name} (heard as ${result.source}) -> ${result.target}: ${(result.samples.length / result.sampleRate).toFixed(1)} s converted in ${result.seconds.toFixed(1)} s`;
  }
  $("result")?.removeAttribute("hidden");
}

async function run(job: () => Promise<PageConversion>, name: string): Promise<void> {
  const status = $("status");
  try {
    await show(await job(), name);
  } catch (error) {
    if (status) status.textContent = `could not convert ${name}: ${(error as Error).message}`;
  }
}

function target(): string {
  return $<HTMLSelectElement>("target")?.value ?? "";
}

async function startPage(): Promise<void> {
  const status = $("status");
  if (!status) return;
  try {
    const { run: info, backend, metadata } = await site;
    const select = $<HTMLSelectElement>("target");
    for (const speaker of metadata.speakers) select?.add(new Option(speaker, speaker));
    const title = $("run");
    if (title) title.textContent = `${info.name}, step ${info.step}, ${metadata.speakers.length} voices (${backend})`;
    status.textContent = "ready: drop a WAV or FLAC file, choose one, or record";
  } catch (error) {
    status.textContent = `could not load the model: ${(error as Error).message}`;
    return;
  }
  const convertFile = (file: File) =>
    run(async () => convertBytes(new Uint8Array(await file.arrayBuffer()), file.name, target(), showStage), file.name);
  const drop = $("drop");
  drop?.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop?.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop?.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    const file = event.dataTransfer?.files[0];
    if (file) void convertFile(file);
  });
  const chooser = $<HTMLInputElement>("file");
  chooser?.addEventListener("change", () => {
    const file = chooser.files?.[0];
    if (file) void convertFile(file);
  });
  const record = $<HTMLButtonElement>("record");
  let recorder: MediaRecorder | null = null;
  record?.addEventListener("click", async () => {
    if (recorder) {
      recorder.stop();
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks: Blob[] = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = (event) => chunks.push(event.data);
      recorder.onstop = () => {
        for (const track of stream.getTracks()) track.stop();
        recorder = null;
        record.textContent = "record";
        void run(async () => {
          await showStage("decode");
          // The browser decodes its own recording format (webm/opus, ogg); the first channel is the voice.
          const context = new AudioContext();
          const decoded = await context.decodeAudioData(await new Blob(chunks).arrayBuffer());
          await context.close();
          const audio = { samples: decoded.getChannelData(0).slice(), sampleRate: decoded.sampleRate };
          return convertAudio(audio, "recording", target(), showStage);
        }, "recording");
      };
      recorder.start();
      record.textContent = "stop";
      status.textContent = "recording... press stop to convert";
    } catch (error) {
      status.textContent = `no microphone: ${(error as Error).message}`;
    }
  });
}

void startPage();
