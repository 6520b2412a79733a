/**
 * How the application sends mail: verification codes, extension notices and outcomes of
 * data subject requests (Art. 12(3)–(4): the person is told). Two implementations: SMTP
 * (`smtp-transport.ts`) and the outbox of `.eml` files (`outbox-transport.ts`); the
 * sender comes from configuration, not from the caller.
 */
export interface OutgoingMail {
  /** One recipient address; an international domain is sent as its A-label. */
  readonly to: string
  readonly subject: string
  /** The plain-text body, always present: every client can show it. */
  readonly text: string
  /** An HTML alternative of the same content. */
  readonly html?: string
  /**
   * Further header fields, e.g. `{ 'X-Custodian-Request': id }`. The fields the transport
   * sets itself (From, To, Subject, Date, Message-ID, MIME and addressing fields) cannot
   * be set here; a value may not contain a line break.
   */
  readonly headers?: Readonly<Record<string, string>>
}

export interface SentMail {
  /** The Message-ID header, angle brackets included: `<…@example.com>`. */
  readonly messageId: string
}

export interface MailTransport {
  /**
   * Hands one message over for delivery. Fails with an AppError: `mail_rejected` when the
   * server refused it for good, `mail_unavailable` when it may go through later,
   * `invalid_request` for a recipient that is not an address. No error names the
   * recipient or carries the body.
   */
  send(mail: OutgoingMail): Promise<SentMail>
  /** Closes pooled connections; a send after close fails with `mail_unavailable`. */
  close(): Promise<void>
}
