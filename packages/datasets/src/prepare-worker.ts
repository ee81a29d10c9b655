import { processUtterance, type UtteranceResult, type UtteranceTask } from "./process-utterance.js";

export type WorkerOutcome = ({ ok: true } & UtteranceResult) | { ok: false; error: string };

/** One utterance in a worker thread; a failure comes back as a message so the run goes on. */
export default async function prepareInWorker(task: UtteranceTask): Promise<WorkerOutcome> {
  try {
    return { ok: true, ...(await processUtterance(task)) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
