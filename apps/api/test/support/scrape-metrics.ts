/** One sample of the Prometheus text format: `name{label="value",...} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Scrape {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  readonly samples: readonly Sample[];
  /**
   * The sum of the samples named `name` whose labels include `labels` (0 when none): for a counter
   * with one label set, its value.
   */
  value(name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** GET a /metrics URL over HTTP and parse every sample of the answer. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  const text = await response.text();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(LABEL)) {
      labels[key as string] = JSON.parse(`"${value}"`) as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    text,
    samples,
    value(name, labels = {}) {
      return samples
        .filter(
          (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
        )
        .reduce((sum, s) => sum + s.value, 0);
    },
  };
}
