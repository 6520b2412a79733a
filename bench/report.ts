/** Shared printing for benchmarks: one aligned line per figure, ratios to a baseline. */
export function printFigure(label: string, value: number, unit: string, note = ''): void {
  const shown = value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2)
  console.log(`${label.padEnd(52)} ${shown.padStart(14)} ${unit}${note ? `  (${note})` : ''}`)
}

export function ratio(measured: number, baseline: number): string {
  return `${(measured / baseline).toFixed(2)}x baseline`
}

/** Runs `work` and returns elapsed milliseconds, measured with the monotonic clock. */
export async function timeIt(work: () => unknown): Promise<number> {
  const start = process.hrtime.bigint()
  await work()
  return Number(process.hrtime.bigint() - start) / 1e6
}
