import autocannon from "autocannon";

export interface LoadSample {
  /** Mean responses per second over the run. */
  readonly rps: number;
  /** Latency percentiles, milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  /** Seconds from the first request sent to the end of the run, as autocannon measured it. */
  readonly durationS: number;
  readonly non2xx: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One autocannon run (GET, no pipelining), bounded by its duration plus a safety margin. */
export async function runAutocannon(options: LoadOptions): Promise<LoadSample> {
  const run = autocannon({
    url: options.url,
    method: "GET",
    connections: options.connections,
    duration: options.durationS,
    pipelining: 1,
    timeout: 10,
    headers: { ...options.headers },
  });
  const guard = new Promise<never>((_resolve, reject) => {
    setTimeout(
      () => reject(new Error(`autocannon on ${options.url} did not finish`)),
      (options.durationS + 30) * 1000,
    ).unref();
  });
  const result = await Promise.race([run, guard]);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    durationS: result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
