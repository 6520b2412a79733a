import { AppError } from '../errors.js'

/**
 * The request types, one per right of Chapter III the statements promise (the right to
 * be informed, Art. 13–14, is the privacy notice and needs no request).
 */
export const requestTypes = [
  'access', // Art. 15
  'portability', // Art. 20
  'rectification', // Art. 16
  'erasure', // Art. 17
  'restriction', // Art. 18
  'objection', // Art. 21
  'automated-decision', // Art. 22
] as const
export type RequestType = (typeof requestTypes)[number]

export const requestStatuses = [
  'received',
  'verifying',
  'in-progress',
  'completed',
  'rejected',
  'withdrawn',
] as const
export type RequestStatus = (typeof requestStatuses)[number]

/** How a request reached the controller; any channel counts (Art. 12(1), EDPB 01/2022). */
export const requestChannels = ['api', 'portal', 'email', 'post', 'phone', 'in-person'] as const
export type RequestChannel = (typeof requestChannels)[number]

const transitions: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  received: ['verifying', 'in-progress', 'rejected', 'withdrawn'],
  verifying: ['verifying', 'in-progress', 'rejected', 'withdrawn'],
  'in-progress': ['completed', 'rejected', 'withdrawn'],
  completed: [],
  rejected: [],
  withdrawn: [],
}

export function isOpen(status: RequestStatus): boolean {
  return transitions[status].length > 0
}

/** Refuses a transition the state machine does not have, naming both states. */
export function assertTransition(from: RequestStatus, to: RequestStatus): void {
  if (!transitions[from].includes(to)) {
    throw new AppError('conflict', `A request that is ${from} cannot become ${to}`)
  }
}

/**
 * The grounds on which a request may be refused, by type. Art. 12(5) (manifestly
 * unfounded or excessive) and Art. 12(6) with 11(2) (the person's identity could not be
 * confirmed) hold for every type; each right has its own limits besides.
 */
export const rejectionArticles = {
  'art-12-5': 'Art. 12(5): the request is manifestly unfounded or excessive',
  'art-12-6': "Art. 11(2), 12(6): the requester's identity could not be confirmed",
  'art-15-4': 'Art. 15(4): a copy would adversely affect the rights and freedoms of others',
  'art-16': 'Art. 16: the data is accurate and complete for its purpose',
  'art-17-3-a': 'Art. 17(3)(a): exercising the right of freedom of expression and information',
  'art-17-3-b': 'Art. 17(3)(b): compliance with a legal obligation',
  'art-17-3-c': 'Art. 17(3)(c): reasons of public interest in the area of public health',
  'art-17-3-d': 'Art. 17(3)(d): archiving, research or statistics in the public interest',
  'art-17-3-e': 'Art. 17(3)(e): the establishment, exercise or defence of legal claims',
  'art-18-1': 'Art. 18(1): none of the grounds for restriction applies',
  'art-20-1': 'Art. 20(1): the processing is not based on consent or contract, or not automated',
  'art-21-1':
    'Art. 21(1): compelling legitimate grounds override the interests of the person, or legal claims',
  'art-22-2':
    'Art. 22(2): the decision is necessary for a contract, authorised by law, or based on explicit consent',
} as const
export type RejectionArticle = keyof typeof rejectionArticles

const everyType: readonly RejectionArticle[] = ['art-12-5', 'art-12-6']
const articlesByType: Readonly<Record<RequestType, readonly RejectionArticle[]>> = {
  access: [...everyType, 'art-15-4'],
  portability: [...everyType, 'art-15-4', 'art-20-1'],
  rectification: [...everyType, 'art-16'],
  erasure: [...everyType, 'art-17-3-a', 'art-17-3-b', 'art-17-3-c', 'art-17-3-d', 'art-17-3-e'],
  restriction: [...everyType, 'art-18-1'],
  objection: [...everyType, 'art-21-1'],
  'automated-decision': [...everyType, 'art-22-2'],
}

export function rejectionArticlesFor(type: RequestType): readonly RejectionArticle[] {
  return articlesByType[type]
}

/** Refuses a rejection ground that does not fit the request's type. */
export function assertRejectionArticle(type: RequestType, article: string): RejectionArticle {
  const allowed = articlesByType[type]
  if (!(allowed as readonly string[]).includes(article)) {
    throw new AppError(
      'invalid_request',
      `A ${type} request may be rejected under: ${allowed.join(', ')}`,
      { errors: [{ in: 'body', field: 'article', message: `one of ${allowed.join(', ')}` }] },
    )
  }
  return article as RejectionArticle
}

/** The types whose fulfilment hands the person a download (Art. 15(3), 20(1)). */
export function deliversExport(type: RequestType): boolean {
  return type === 'access' || type === 'portability'
}

/**
 * Types answered as soon as the person is confirmed: an access or portability copy
 * needs no judgement, and answering at once keeps the statements' one-week promise
 * with room to spare. The others wait for an operator (legal holds, grounds, fields).
 */
export function autoFulfilled(type: RequestType): boolean {
  return deliversExport(type)
}
