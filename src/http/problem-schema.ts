import { Type } from 'typebox'

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
  { description: 'RFC 9457 problem details of one item of the batch' },
)
