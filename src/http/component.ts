/** The annotation that names a schema as a shared component (see `component`). */
export const componentKey = 'x-component'

/**
 * Schema options that name a schema as a shared component:
 * `Type.Object({…}, component('Contact'))`. The OpenAPI document then lists it once
 * under `components.schemas` and refers to it from every operation, so generated
 * clients get one `Contact` type instead of a copy per operation. Validation and
 * serialisation ignore the annotation.
 */
export function component(name: string): { [componentKey]: string } {
  return { [componentKey]: name }
}
