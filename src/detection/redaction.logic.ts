/**
 * Redaction in place, as a pure rule: each chosen span of the text is replaced by
 * `[redacted: <kind>]`, and every finding's offsets are moved to where its characters
 * (or its placeholder) now are. Nothing of the value survives in the text.
 */
export interface Span {
  readonly kind: string
  readonly start: number
  readonly end: number
}

export function placeholderOf(kind: string): string {
  return `[redacted: ${kind}]`
}

export interface Redacted<S extends Span> {
  readonly text: string
  /** Every span given, in order, at its new offsets; a redacted one covers its placeholder. */
  readonly spans: readonly (S & { readonly redacted: boolean })[]
}

/**
 * Redacts `chosen` (a subset of `spans`, by identity) out of `text`. Spans must not
 * overlap: detection keeps one reading of each stretch of text.
 */
export function redactSpans<S extends Span>(
  text: string,
  spans: readonly S[],
  chosen: ReadonlySet<S>,
): Redacted<S> {
  const ordered = [...spans].sort((a, b) => a.start - b.start)
  let result = ''
  let at = 0
  let shift = 0
  const moved: (S & { redacted: boolean })[] = []
  for (const span of ordered) {
    if (span.start < at) throw new Error('Redaction spans overlap')
    result += text.slice(at, span.start)
    if (chosen.has(span)) {
      const placeholder = placeholderOf(span.kind)
      moved.push({
        ...span,
        start: span.start + shift,
        end: span.start + shift + placeholder.length,
        redacted: true,
      })
      result += placeholder
      shift += placeholder.length - (span.end - span.start)
    } else {
      moved.push({ ...span, start: span.start + shift, end: span.end + shift, redacted: false })
      result += text.slice(span.start, span.end)
    }
    at = span.end
  }
  result += text.slice(at)
  return { text: result, spans: moved }
}
