/**
 * A small RFC 5322 / MIME reader for tests: enough to read back what a mail server or
 * the outbox received, written from the RFCs rather than from nodemailer, so a test does
 * not check nodemailer's output with nodemailer's own idea of it. It handles folded
 * header fields (RFC 5322 §2.2.3), encoded words in Q and B (RFC 2047, any charset
 * TextDecoder knows), raw UTF-8 header fields (RFC 6532), multipart bodies at any depth
 * (RFC 2046 §5.1) and the 7bit, 8bit, binary, quoted-printable and base64 transfer
 * encodings (RFC 2045 §6). Not handled, because nothing we send uses them: RFC 2231
 * parameter continuations and attachments' file names.
 */
export interface HeaderField {
  readonly name: string
  /** Unfolded, with encoded words decoded. */
  readonly value: string
}

export interface ParsedMessage {
  readonly headers: readonly HeaderField[]
  /** The first value of a field, by case-insensitive name. */
  header(name: string): string | undefined
  /** The first text/plain part that is not an attachment, line breaks as `\n`. */
  readonly text: string | undefined
  /** The first text/html part that is not an attachment, line breaks as `\n`. */
  readonly html: string | undefined
  /** Each leaf part's content type, in order: `['text/plain', 'text/html']`. */
  readonly partTypes: readonly string[]
}

interface Entity {
  headers: HeaderField[]
  body: Buffer
}

export function parseMessage(raw: Buffer): ParsedMessage {
  const root = splitEntity(raw)
  const leaves: { type: string; charset: string; disposition: string; content: Buffer }[] = []
  collectLeaves(root, leaves, 0)
  const firstText = (type: string): string | undefined => {
    const leaf = leaves.find((part) => part.type === type && part.disposition !== 'attachment')
    if (leaf === undefined) return undefined
    return new TextDecoder(leaf.charset).decode(leaf.content).replace(/\r\n/g, '\n')
  }
  return {
    headers: root.headers,
    header: (name) => headerOf(root.headers, name),
    text: firstText('text/plain'),
    html: firstText('text/html'),
    partTypes: leaves.map((leaf) => leaf.type),
  }
}

function headerOf(headers: readonly HeaderField[], name: string): string | undefined {
  const wanted = name.toLowerCase()
  return headers.find((field) => field.name.toLowerCase() === wanted)?.value
}

/** Header block and body, split at the first empty line (CRLF, or LF as files may have). */
function splitEntity(raw: Buffer): Entity {
  // latin1 maps each byte to one code unit, so positions in the text are positions in raw.
  const text = raw.toString('latin1')
  const blank = /\r?\n\r?\n/.exec(text)
  const headerEnd = blank === null ? text.length : blank.index
  const bodyStart = blank === null ? text.length : blank.index + blank[0].length
  return { headers: parseHeaderBlock(text.slice(0, headerEnd)), body: raw.subarray(bodyStart) }
}

function parseHeaderBlock(block: string): HeaderField[] {
  const fields: HeaderField[] = []
  // Unfolding: a line break followed by white space is part of the field.
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '')
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    // RFC 6532 allows raw UTF-8 in field values.
    const value = Buffer.from(line.slice(colon + 1), 'latin1')
      .toString('utf8')
      .trim()
    fields.push({ name: line.slice(0, colon).trim(), value: decodeEncodedWords(value) })
  }
  return fields
}

const encodedWord = /=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=/g

/** RFC 2047 §6.2: decode each encoded word; white space between two of them is dropped. */
export function decodeEncodedWords(value: string): string {
  const joined = value.replace(/(\?=)[ \t]+(?==\?)/g, '$1')
  return joined.replace(encodedWord, (_word, charset: string, encoding: string, text: string) => {
    // RFC 2231 §5 lets a word name its language after a star: utf-8*en.
    const decoder = new TextDecoder(charset.split('*')[0])
    if (encoding.toUpperCase() === 'B') return decoder.decode(Buffer.from(text, 'base64'))
    return decoder.decode(decodeQuotedPrintable(text.replace(/_/g, ' ')))
  })
}

/** RFC 2045 §6.7: `=XX` is a byte, `=` at a line end is a soft break. */
export function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, '')
  const bytes: number[] = []
  for (let index = 0; index < joined.length; index += 1) {
    const hex = joined.slice(index + 1, index + 3)
    if (joined[index] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      index += 2
    } else {
      bytes.push(joined.charCodeAt(index) & 0xff)
    }
  }
  return Buffer.from(bytes)
}

interface ContentType {
  type: string
  parameters: Map<string, string>
}

function parseContentType(value: string | undefined): ContentType {
  // RFC 2045 §5.2: no Content-Type means text/plain; charset=us-ascii.
  if (value === undefined) return { type: 'text/plain', parameters: new Map() }
  const [type = '', ...rest] = value.split(';')
  const parameters = new Map<string, string>()
  for (const parameter of rest) {
    const equals = parameter.indexOf('=')
    if (equals < 0) continue
    const key = parameter.slice(0, equals).trim().toLowerCase()
    const raw = parameter.slice(equals + 1).trim()
    parameters.set(key, raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw)
  }
  return { type: type.trim().toLowerCase(), parameters }
}

function collectLeaves(
  entity: Entity,
  leaves: { type: string; charset: string; disposition: string; content: Buffer }[],
  depth: number,
): void {
  const contentType = parseContentType(headerOf(entity.headers, 'content-type'))
  const boundary = contentType.parameters.get('boundary')
  if (contentType.type.startsWith('multipart/') && boundary !== undefined && depth < 10) {
    for (const part of splitMultipart(entity.body, boundary)) {
      collectLeaves(splitEntity(part), leaves, depth + 1)
    }
    return
  }
  const encoding = headerOf(entity.headers, 'content-transfer-encoding')?.toLowerCase() ?? '7bit'
  const disposition = headerOf(entity.headers, 'content-disposition') ?? 'inline'
  leaves.push({
    type: contentType.type,
    charset: contentType.parameters.get('charset') ?? 'us-ascii',
    disposition: disposition.split(';')[0]?.trim().toLowerCase() ?? 'inline',
    content: decodeBody(entity.body, encoding),
  })
}

function decodeBody(body: Buffer, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.toString('latin1'), 'base64')
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body.toString('latin1'))
  return body
}

/**
 * RFC 2046 §5.1.1: parts lie between lines `--boundary`, the last ends at `--boundary--`;
 * the line break before a delimiter belongs to the delimiter, not to the part.
 */
function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1')
  const delimiter = `--${boundary}`
  const parts: Buffer[] = []
  let position = text.startsWith(delimiter) ? 0 : text.indexOf(`\n${delimiter}`)
  while (position >= 0) {
    const lineEnd = text.indexOf('\n', position + 1)
    const marker = text.slice(position, lineEnd < 0 ? undefined : lineEnd).trim()
    if (marker.startsWith(`${delimiter}--`) || lineEnd < 0) break
    const next = text.indexOf(`\n${delimiter}`, lineEnd)
    const end = next < 0 ? text.length : next > 0 && text[next - 1] === '\r' ? next - 1 : next
    parts.push(body.subarray(lineEnd + 1, end))
    position = next
  }
  return parts
}
