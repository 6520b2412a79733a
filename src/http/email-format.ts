import type { Ajv } from 'ajv'
import { Type } from 'typebox'
import { Format } from 'typebox/format'
import { isEmailAddress } from '../email/index.js'

/**
 * The `email` format of both validators is `isEmailAddress`, international addresses
 * included (RFC 6531): ajv checks route schemas, TypeBox checks batch items one by one
 * (`typebox/compile`), and each ships its own ASCII-only `email`. TypeBox's format
 * registry is one per process and is read when a schema is compiled, so it is set here,
 * by the module that defines `EmailSchema`: whatever compiles a schema that holds one
 * has imported this module, and the format, first.
 */
Format.Set('email', isEmailAddress)

/** An email address in a request schema. */
export const EmailSchema = Type.String({
  format: 'email',
  maxLength: 320,
  description: 'An email address; international ones (RFC 6531) included',
})

/** Replaces ajv-formats' `email` with the same check. */
export function addEmailFormat(ajv: Ajv): void {
  ajv.addFormat('email', isEmailAddress)
}
