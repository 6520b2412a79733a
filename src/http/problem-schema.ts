import { Type } from 'typebox'
import { component } from './component.js'

/** The schema of `ItemProblem` (problem.ts): one rejected item of a batch, for OpenAPI. */
export const ItemProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ in: Type.String(), field: Type.String(), message: Type.String() })),
    ),
  },
  { ...component('ItemProblem'), description: 'RFC 9457 problem details of one item of the batch' },
)

/** The schema of a whole error response (`ProblemDocument`, problem.ts), for OpenAPI. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URI naming the problem type; GET it to read its title' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong, in words; never quotes the request' }),
    instance: Type.String({ description: 'urn:request:<requestId>' }),
    code: Type.String({ description: 'A stable machine-readable code (GET /problems/{code})' }),
    requestId: Type.String({ description: 'Quote it to support; also the x-request-id header' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          in: Type.String({ description: 'body, querystring, params or headers' }),
          field: Type.String({ description: 'Dotted path; odd property names show as {name}' }),
          message: Type.String(),
        }),
      ),
    ),
  },
  { description: 'RFC 9457 problem details' },
)
