/**
 * Runs an async function over a stream of inputs with at most `concurrency` calls in flight, and
 * yields each result as soon as it is ready (completion order, not input order). Completion
 * order keeps every slot busy: waiting for the input order would let one slow item (a DNS
 * timeout costs seconds) hold back everything behind it.
 *
 * Memory stays bounded: input is pulled only when a slot is free, and when the consumer falls
 * behind, at most `concurrency` finished results wait before the workers pause. `fn` must not
 * throw (turn failures into results); an error thrown by the input iterator is rethrown to the
 * consumer. Breaking out of the loop stops pulling input and closes the input iterator.
 */
export async function* concurrentMap<In, Out>(
  input: AsyncIterable<In> | Iterable<In>,
  concurrency: number,
  fn: (item: In) => Promise<Out>,
): AsyncGenerator<Out> {
  const iterator =
    Symbol.asyncIterator in input
      ? (input as AsyncIterable<In>)[Symbol.asyncIterator]()
      : (input as Iterable<In>)[Symbol.iterator]();
  const ready: Out[] = [];
  const limit = Math.max(1, concurrency);
  // Held in an array, not a `let`: TypeScript cannot see the workers assign it.
  const inputErrors: unknown[] = [];
  let stopped = false;
  let finished = false;
  let wakeConsumer: (() => void) | null = null;
  const pausedWorkers: Array<() => void> = [];

  const wake = () => {
    wakeConsumer?.();
    wakeConsumer = null;
  };

  const worker = async () => {
    while (!stopped && inputErrors.length === 0) {
      let next: IteratorResult<In>;
      try {
        // Concurrent next() calls are safe: an async generator queues them.
        next = await iterator.next();
      } catch (error) {
        inputErrors.push(error);
        wake();
        return;
      }
      if (next.done || stopped) return;
      ready.push(await fn(next.value));
      wake();
      while (ready.length >= limit && !stopped) await new Promise<void>((r) => pausedWorkers.push(r));
    }
  };

  const workers = Promise.all(Array.from({ length: limit }, worker)).then(() => {
    finished = true;
    wake();
  });

  try {
    for (;;) {
      if (inputErrors.length > 0) throw inputErrors[0];
      if (ready.length > 0) {
        const result = ready.shift() as Out;
        pausedWorkers.shift()?.();
        yield result;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => {
        wakeConsumer = resolve;
      });
    }
    await workers;
  } finally {
    stopped = true;
    for (const resume of pausedWorkers.splice(0)) resume();
    // Closing the input (a file reader) without waiting for calls still in flight: their
    // results are dropped, and fn never throws, so nothing is left unhandled.
    void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}
