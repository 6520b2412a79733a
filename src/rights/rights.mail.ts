import type { RequestType } from './request-states.logic.js'
import { rejectionArticles, type RejectionArticle } from './request-states.logic.js'
import type { RightsMail } from './rights.deps.js'

/**
 * The mails a person and the DPO receive about a request, in plain language (Art. 12(1)).
 * They name the workspace (the controller) and the request, and never carry more of the
 * person's data than the address they go to.
 */

const rightNames: Readonly<Record<RequestType, string>> = {
  access: 'access to your personal data (Art. 15 GDPR)',
  portability: 'a copy of your data to take elsewhere (Art. 20 GDPR)',
  rectification: 'correction of your personal data (Art. 16 GDPR)',
  erasure: 'erasure of your personal data (Art. 17 GDPR)',
  restriction: 'restriction of processing (Art. 18 GDPR)',
  objection: 'your objection to processing (Art. 21 GDPR)',
  'automated-decision':
    'not to be subject to automated decisions, including profiling (Art. 22 GDPR)',
}

interface About {
  to: string
  workspace: string
  requestId: string
  type: RequestType
}

const signature = (about: About) =>
  `\n\n${about.workspace}\nReference: ${about.requestId}\n(This message was sent by Custodian on behalf of ${about.workspace}.)`

const complaint =
  'You may lodge a complaint with a data protection supervisory authority, in particular in the member state where you live or work, or where you think the law was broken (Art. 77 GDPR), and you may seek a judicial remedy (Art. 79 GDPR).'

export function verificationMail(
  about: About,
  code: string,
  minutes: number,
  reminder: boolean,
): RightsMail {
  const opening = reminder
    ? `Your request for ${rightNames[about.type]} is still waiting for you to confirm it is yours.`
    : `We received a request for ${rightNames[about.type]} that names this address.`
  return {
    to: about.to,
    subject: reminder
      ? `Reminder: confirm your request (${code})`
      : `Your confirmation code: ${code}`,
    text:
      `${opening}\n\nTo confirm it is you, enter this code: ${code}\n\nThe code is valid for ${minutes} minutes. ` +
      `If you did not make this request, ignore this message: nothing happens without the code.` +
      signature(about),
  }
}

export function lapsedMail(about: About): RightsMail {
  return {
    to: about.to,
    subject: 'Your request was closed: it was not confirmed',
    text:
      `Your request for ${rightNames[about.type]} was not confirmed with the code we sent, so we could not be sure it came from you (Art. 12(6) GDPR) and have closed it. ` +
      `You are welcome to make it again at any time.\n\n${complaint}` +
      signature(about),
  }
}

export function completedMail(
  about: About,
  outcome: { summary: string; downloadUrl?: string; expiresAt?: string },
): RightsMail {
  const download =
    outcome.downloadUrl === undefined
      ? ''
      : `\n\nDownload your data here (the link works until ${outcome.expiresAt ?? 'it expires'}):\n${outcome.downloadUrl}`
  return {
    to: about.to,
    subject: 'Your request is complete',
    text: `We have completed your request for ${rightNames[about.type]}.\n\n${outcome.summary}${download}\n\n${complaint}${signature(about)}`,
  }
}

export function rejectedMail(about: About, article: RejectionArticle, reason: string): RightsMail {
  return {
    to: about.to,
    subject: 'We cannot act on your request',
    // Art. 12(4): the reasons for not acting, and the possibility of a complaint.
    text:
      `We cannot act on your request for ${rightNames[about.type]}.\n\nGround: ${rejectionArticles[article]}.\nReason: ${reason}\n\n${complaint}` +
      signature(about),
  }
}

export function extendedMail(about: About, extendedDueDate: string, reason: string): RightsMail {
  return {
    to: about.to,
    subject: 'We need more time to answer your request',
    // Art. 12(3): the person is told of an extension, with its reasons, within one month.
    text:
      `Because of the complexity or number of requests, we are extending the time to answer your request for ${rightNames[about.type]} until ${extendedDueDate} (Art. 12(3) GDPR).\n\nReason: ${reason}\n\n${complaint}` +
      signature(about),
  }
}

export function restrictionLiftMail(about: About): RightsMail {
  return {
    to: about.to,
    subject: 'The restriction of your data is about to be lifted',
    // Art. 18(3): the person is told before a restriction is lifted.
    text:
      `The restriction of processing you asked for is about to be lifted: processing of your data will resume under its usual lawful bases.` +
      `\n\n${complaint}` +
      signature(about),
  }
}

export function dpoReminderMail(
  to: string,
  workspace: string,
  requests: readonly { id: string; type: RequestType; dueAt: string; overdue: boolean }[],
): RightsMail {
  const lines = requests.map(
    (request) =>
      `- ${request.id} (${request.type}) ${request.overdue ? 'was due' : 'is due'} ${request.dueAt}`,
  )
  const overdue = requests.some((request) => request.overdue)
  return {
    to,
    subject: overdue
      ? `${workspace}: data subject requests are overdue`
      : `${workspace}: data subject requests are due soon`,
    text: `These data subject requests need an answer:\n\n${lines.join('\n')}\n\nThe workspace promises an answer within its stated days; the law allows one month (Art. 12(3) GDPR).\n`,
  }
}
