import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { type Clock, systemClock } from '../clock.js'
import type { Logger } from '../logger.js'
import { composeMessage } from './compose.js'
import { closedError, mailError, outboxError } from './mail-errors.js'
import type { MailSender } from './mail-settings.js'
import type { MailTransport, OutgoingMail, SentMail } from './mail-transport.js'

export interface OutboxTransportOptions {
  /** The folder the `.eml` files go into, created (mode 0700) on the first send. */
  readonly directory: string
  readonly sender: MailSender
  readonly clock?: Clock
  /** Told the file name of each message written (never its recipient). */
  readonly logger?: Logger
}

/** Where the outbox lies inside the data directory. */
export function outboxDirectory(dataDir: string): string {
  return join(dataDir, 'outbox')
}

/**
 * Mail kept instead of sent, for development and tests: each message is one RFC 5322
 * file, `<time>-<sequence>-<random>.eml`, that any mail client opens. Names sort by the
 * time of sending (the sequence orders one process's messages within a millisecond; the
 * random part keeps processes sharing the folder apart).
 *
 * A file holds a person's address and their code, so it is readable by the owner only
 * (0600, in a 0700 folder), and appears whole or not at all: it is written under a
 * hidden temporary name, synced, then renamed, so a reader never opens half a message.
 */
export function createOutboxTransport(options: OutboxTransportOptions): MailTransport {
  const { directory, sender, logger } = options
  const clock = options.clock ?? systemClock
  // The same pipeline as SMTP, ending in a buffer instead of a connection.
  const composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
  })
  let sequence = 0
  let closed = false
  return {
    async send(mail: OutgoingMail): Promise<SentMail> {
      if (closed) throw closedError()
      const now = clock.now()
      const message = composeMessage(mail, sender, now)
      let composed: { messageId: string; message: unknown }
      try {
        composed = await composer.sendMail(message)
      } catch (error) {
        throw mailError(error)
      }
      if (!Buffer.isBuffer(composed.message)) throw outboxError(undefined)
      sequence += 1
      const file = outboxFileName(now, sequence)
      await writeAtomically(directory, file, composed.message)
      logger?.info({ outboxFile: file }, 'mail written to the outbox, not delivered')
      return { messageId: composed.messageId }
    },
    async close(): Promise<void> {
      closed = true
      composer.close()
    },
  }
}

function outboxFileName(now: Date, sequence: number): string {
  // 20260101T093000.123Z: the ISO time without the separators a file system may refuse.
  const time = now.toISOString().replace(/[-:]/g, '')
  return `${time}-${String(sequence).padStart(6, '0')}-${randomBytes(6).toString('hex')}.eml`
}

async function writeAtomically(directory: string, file: string, content: Buffer): Promise<void> {
  const temporary = join(directory, `.${file}.tmp`)
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 })
    // 'wx': never reuse a file someone else made (or linked) under the temporary name.
    const handle = await open(temporary, 'wx', 0o600)
    try {
      await handle.writeFile(content)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, join(directory, file))
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined)
    throw outboxError(error)
  }
}
