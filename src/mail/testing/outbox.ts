import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ParsedMessage, parseMessage } from './parse-message.js'

/** One message of the outbox, as a test reads it. */
export interface OutboxMessage {
  /** The file's name inside the outbox, `<time>-<sequence>-<random>.eml`. */
  readonly file: string
  /** The recipient address as on the wire: the domain as its A-label (`xn--…`). */
  readonly to: string
  /** The From field as written, name and address: `Custodian <no-reply@localhost>`. */
  readonly from: string
  readonly subject: string
  /** The plain-text body, line breaks as `\n`. */
  readonly text: string
  readonly html: string | undefined
  readonly messageId: string
  readonly date: Date
  /** The whole parsed message, for any other header. */
  readonly parsed: ParsedMessage
}

/**
 * The messages in an outbox folder (`outboxDirectory(dataDir)`), oldest first; none when
 * the folder does not exist yet. Temporary files of a write under way are not read.
 *
 * @example
 *   const [mail] = await readOutbox(outboxDirectory(config.dataDir))
 *   const code = /\b(\d{6})\b/.exec(mail.text)?.[1]
 */
export async function readOutbox(directory: string): Promise<OutboxMessage[]> {
  let names: string[]
  try {
    names = await readdir(directory)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const files = names.filter((name) => name.endsWith('.eml') && !name.startsWith('.')).sort()
  return Promise.all(files.map(async (file) => readOutboxFile(directory, file)))
}

async function readOutboxFile(directory: string, file: string): Promise<OutboxMessage> {
  const parsed = parseMessage(await readFile(join(directory, file)))
  const required = (name: string): string => {
    const value = parsed.header(name)
    if (value === undefined) throw new Error(`${file} has no ${name} header`)
    return value
  }
  const text = parsed.text
  if (text === undefined) throw new Error(`${file} has no text/plain part`)
  return {
    file,
    to: addressOf(required('To')),
    from: required('From'),
    subject: required('Subject'),
    text,
    html: parsed.html,
    messageId: required('Message-ID'),
    date: new Date(required('Date')),
    parsed,
  }
}

/** `Name <a@b>` or `a@b` → `a@b`: we send to one address, so the field holds one. */
function addressOf(field: string): string {
  const bracketed = /<([^>]*)>\s*$/.exec(field)
  return (bracketed?.[1] ?? field).trim()
}
