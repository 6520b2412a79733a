import { domainToASCII } from 'node:url'
import type { SendMailOptions } from 'nodemailer'
import { emailAsTyped, isEmailAddress } from '../email/index.js'
import { AppError } from '../errors.js'
import type { MailSender } from './mail-settings.js'
import type { OutgoingMail } from './mail-transport.js'

/**
 * One message as nodemailer builds it, the same for SMTP and the outbox: what a developer
 * reads in the outbox is what the mail server would have received.
 */
export function composeMessage(mail: OutgoingMail, sender: MailSender, now: Date): SendMailOptions {
  return {
    from: { name: sender.name, address: sender.address },
    to: deliveryAddress(mail.to),
    subject: mail.subject,
    text: mail.text,
    ...(mail.html === undefined ? {} : { html: mail.html }),
    date: now,
    headers: {
      // RFC 3834: an automatic message, so vacation responders do not answer it.
      'Auto-Submitted': 'auto-generated',
      ...checkedHeaders(mail.headers ?? {}),
    },
    // Bodies are strings; nodemailer would otherwise read a `path` or `href` content.
    disableFileAccess: true,
    disableUrlAccess: true,
  }
}

/**
 * The recipient as it goes on the wire: as typed (trimmed, NFC) with the domain as its
 * A-label (`user@bücher.de` → `user@xn--bcher-kva.de`), which every mail server takes.
 * The local part keeps its case: RFC 5321 §2.4 leaves its meaning to the receiving server.
 */
export function deliveryAddress(to: string): string {
  const address = emailAsTyped(to)
  if (!isEmailAddress(address)) {
    throw new AppError('invalid_request', 'The recipient is not a valid email address')
  }
  const at = address.lastIndexOf('@')
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1))}`
}

// Fields the transport owns: a caller setting them could send to someone else (Bcc),
// forge the sender or break the MIME structure.
const reservedFields = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'auto-submitted',
])

// RFC 5322 §2.2: a field name is printable ASCII other than the colon.
const fieldNamePattern = /^[!-9;-~]+$/

function checkedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const checked: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    // A programming error, not a client's: the field names are ours, never a request's.
    if (!fieldNamePattern.test(name) || reservedFields.has(name.toLowerCase())) {
      throw new AppError('internal', `The mail header ${JSON.stringify(name)} cannot be set`)
    }
    if (/[\r\n]/.test(value)) {
      throw new AppError('internal', `The mail header ${name} has a line break in its value`)
    }
    checked[name] = value
  }
  return checked
}
