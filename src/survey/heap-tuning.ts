/**
 * Garbage-collection settings for a grab with many sessions in flight.
 *
 * Why: a session lives for seconds (every reply waited for), longer than the young generation
 * takes to fill, so what it allocates is promoted to the old generation and dies there. V8 lets
 * the old generation grow to up to four times what survived its last full collection before it
 * collects again, and each engine thread has its own heap: at 10,000 sessions in flight
 * (≈ 10 KB live each) two engine threads measured 154 MB of heap apiece for 47 MB live. The
 * main thread of a pooled grab only writes what the workers send, yet its young generation grew
 * to 32 MB. Measured in the benchmark's namespace, 10,000 in flight, replies held 200 ms–2 s
 * (bench/netns-run.ts, `latency`), peak RSS of the process:
 *
 *   defaults                                                   562 MB
 *   old generation grows by 30 % over what survived            398 MB
 *   + engine threads' young generation 12 MB                   341 MB
 *   + the main thread's young generation kept at its start     303 MB
 *
 * with CPU per session within run-to-run noise. All are set here (and the first step of the
 * last in bin/smtpsurvey.js, which must come before any module is loaded).
 *
 * The flags are set with v8.setFlagsFromString after start, which V8 allows but does not
 * promise to honour: these are read when they are used (the growth factors at each collection,
 * the semi-space floor when a worker's heap is made), which is what was measured.
 */
import { setFlagsFromString } from "node:v8";

/** The old generation may grow by this share over what survived a full collection, at least. */
export const HEAP_GROWING_PERCENT = 30;

/** Each engine thread's young generation (V8's two semi-spaces and their large-object space). */
export const ENGINE_YOUNG_GENERATION_MB = 12;

/**
 * Up to this many sessions in flight per engine thread (≈ 10 MB of live session heap), the
 * tight settings above buy little memory and cost CPU: measured at 1,000 in flight on two
 * threads, replies at once (bench/netns-run.ts `at-once`), scavenges took a fifth of each
 * thread's time, because a 4 MB semi-space fills in ~20 ms while a session lives ~100 ms and so
 * is copied before it dies. With a 48 MB young generation and the old generation growing by
 * 100 %, 8,400–8,650 → 9,650–10,200 sessions/s for 186 → 240 MB peak RSS; 32 MB measured the
 * same (medians of 4 interleaved runs within 1 %) and leaves more room under 300 MB for a
 * grab of a million targets (290 MB with 48).
 */
const ROOMY_SESSIONS_PER_THREAD = 1000;
const ROOMY_YOUNG_GENERATION_MB = 32;
const ROOMY_HEAP_GROWING_PERCENT = 100;

/**
 * Above that, the old generation grows by what keeps an engine thread's heap near this before it
 * collects, at ~12 KB of live heap per session in flight (a heap snapshot at 5,000 in flight,
 * replies held 200 ms): 100 % up to ~3,000 sessions per thread, the 30 % floor at 5,000 (10,000
 * in flight on two threads). Measured at 5,000 in flight, replies held 200 ms: 30 % → 100 %,
 * peak RSS 227 → 257 MB, sessions/s +2 % (medians of 4 interleaved runs); at 10,000 in flight
 * (200 ms–2 s) 100 % would have been 331 MB against 290 MB.
 */
const THREAD_HEAP_BUDGET_MB = 75;
const LIVE_KB_PER_SESSION = 12;

/** The heap an engine thread with this many sessions in flight gets. */
export function heapPlan(sessionsPerThread: number): { youngGenerationMb: number; growingPercent: number } {
  if (sessionsPerThread <= ROOMY_SESSIONS_PER_THREAD)
    return { youngGenerationMb: ROOMY_YOUNG_GENERATION_MB, growingPercent: ROOMY_HEAP_GROWING_PERCENT };
  const liveMb = (sessionsPerThread * LIVE_KB_PER_SESSION) / 1024;
  const growth = Math.round(100 * (THREAD_HEAP_BUDGET_MB / liveMb - 1));
  return {
    youngGenerationMb: ENGINE_YOUNG_GENERATION_MB,
    growingPercent: Math.min(ROOMY_HEAP_GROWING_PERCENT, Math.max(HEAP_GROWING_PERCENT, growth)),
  };
}

/** V8's own defaults, given back when the grab ends (a survey goes on to other stages). */
const V8_SEMI_SPACE_GROWTH_FACTOR = 2;
const V8_HEAP_GROWING_PERCENT = 0; // 0: V8 chooses by its own heuristics

/**
 * For the grab that is about to run. `pooled`: the engine runs in worker threads (not yet
 * started) and this thread only writes; its young generation then stays as it was at start,
 * and the workers' start at their largest. Otherwise the engine runs on this thread, with the
 * usual growth. `sessionsPerThread`: each engine thread's share of -c (heapPlan). Gives back a
 * function that restores V8's defaults.
 */
export function tuneHeapForManySessions(pooled: boolean, sessionsPerThread: number): () => void {
  const plan = heapPlan(sessionsPerThread);
  setFlagsFromString(`--heap-growing-percent=${plan.growingPercent}`);
  if (pooled) {
    // a young generation is three semi-spaces' worth: two halves and the large-object space
    setFlagsFromString(`--min-semi-space-size=${Math.floor(plan.youngGenerationMb / 3)}`);
    setFlagsFromString("--semi-space-growth-factor=1");
  } else {
    setFlagsFromString(`--semi-space-growth-factor=${V8_SEMI_SPACE_GROWTH_FACTOR}`);
  }
  return () => {
    setFlagsFromString(`--heap-growing-percent=${V8_HEAP_GROWING_PERCENT}`);
    setFlagsFromString(`--semi-space-growth-factor=${V8_SEMI_SPACE_GROWTH_FACTOR}`);
    setFlagsFromString("--min-semi-space-size=0");
  };
}
