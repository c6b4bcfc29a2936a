/** Latency sampling for the benchmark: sequential calls, milliseconds, percentiles. */
export interface Percentiles {
  p50: number;
  p99: number;
}

export async function timeMany(iterations: number, call: () => Promise<unknown>): Promise<number[]> {
  const warmup = Math.min(50, iterations);
  for (let i = 0; i < warmup; i += 1) await call();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  return samples;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Runs `total` calls with at most `concurrency` in flight; returns calls per second. */
export async function throughput(total: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await call(next++);
    }),
  );
  return total / ((performance.now() - start) / 1000);
}
