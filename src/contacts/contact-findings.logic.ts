import {
  type DetectionPolicy,
  detectSensitiveData,
  type Finding,
  redactSpans,
} from '../detection/index.js'
import type { Attributes, Profile } from './contacts.logic.js'

export type ContactFindingStatus = 'flagged' | 'unflagged' | 'redacted'

/**
 * What detection found in one field of a contact: the field (`name`, `externalId` or
 * `attributes.<name>`), the kind, where (UTF-16 offsets in the value as stored now:
 * a redacted finding covers its placeholder) and how sure. Never the value: a finding
 * is safe to show, export and count in the audit log.
 */
export type ContactFinding = {
  field: string
  /** One of the detection module's `findingKinds`. */
  kind: string
  scheme: string | null
  start: number
  end: number
  confidence: number
  status: ContactFindingStatus
  detectedAt: string
}

/** What a write changed, for the scan: every field of a new contact, or the fields sent. */
export type ScannedFields = 'all' | readonly string[]

export interface ContactScan {
  /** The profile to seal: auto-redacted values replaced, findings of the scanned fields renewed. */
  profile: Profile
  /** The findings of the fields this write scanned (the audit entry counts them). */
  fresh: ContactFinding[]
}

/**
 * Scans a contact's written fields with the detectors every inbox message runs, before
 * the profile is sealed. Free text an operator or an import put in a CRM holds the
 * same card numbers, IBANs and diagnoses a chat does, and Art. 5(1)(c) and 32 apply the
 * same: the workspace's policy flags what reaches its threshold and redacts the kinds it
 * chose. Redaction happens here, before sealing, so the value never reaches the
 * database, its WAL or a backup (nothing to shred afterwards):
 * - a string attribute or the name keeps its text with `[redacted: <kind>]` in place;
 * - a number attribute (a card number typed as a number) is removed: it has no text to
 *   hold a placeholder, and the finding (status `redacted`) says what was there;
 * - the external id is flagged only, never changed: it is the key the customer's own
 *   system finds the person by, and rewriting it would break that link (Art. 5(1)(d)).
 * The email is not scanned: it holds an email address by definition.
 * Findings of fields this write did not touch are kept as they were.
 */
export function scanContact(
  profile: Profile,
  fields: ScannedFields,
  policy: DetectionPolicy,
  now: string,
  detect: (text: string) => Finding[] = detectSensitiveData,
): ContactScan {
  const scanned = fields === 'all' ? scannableFieldsOf(profile) : fields
  const kept = profile.findings.filter((finding) => !scanned.includes(finding.field))
  let name = profile.name
  const attributes: Attributes = { ...profile.attributes }
  const fresh: ContactFinding[] = []
  for (const field of scanned) {
    const value = valueOf({ ...profile, name, attributes }, field)
    if (value === undefined) continue
    const text = String(value)
    const detected = detect(text)
    if (detected.length === 0) continue
    const redactable = field !== 'externalId'
    const automatic = new Set(
      redactable
        ? detected.filter(
            (finding) =>
              policy.autoRedact[finding.kind] && finding.confidence >= policy.detectionThreshold,
          )
        : [],
    )
    let spans: readonly (Finding & { redacted: boolean })[]
    if (typeof value === 'number' && automatic.size > 0) {
      Reflect.deleteProperty(attributes, attributeOf(field))
      spans = detected.map((finding) => ({ ...finding, redacted: automatic.has(finding) }))
    } else {
      const redacted = redactSpans(text, detected, automatic)
      spans = redacted.spans
      if (automatic.size > 0) {
        if (field === 'name') name = redacted.text
        else attributes[attributeOf(field)] = redacted.text
      }
    }
    for (const span of spans) {
      fresh.push({
        field,
        kind: span.kind,
        scheme: span.scheme ?? null,
        start: span.start,
        end: span.end,
        confidence: span.confidence,
        status: span.redacted
          ? 'redacted'
          : span.confidence >= policy.detectionThreshold
            ? 'flagged'
            : 'unflagged',
        detectedAt: now,
      })
    }
  }
  return { profile: { ...profile, name, attributes, findings: [...kept, ...fresh] }, fresh }
}

/** The fields a contact write with this input touches, as the scan names them. */
export function writtenFields(input: {
  name?: string | null | undefined
  externalId?: string | null | undefined
  attributes?: Attributes | undefined
}): string[] {
  return [
    ...(input.name === undefined ? [] : ['name']),
    ...(input.externalId === undefined ? [] : ['externalId']),
    ...Object.keys(input.attributes ?? {}).map((name) => `attributes.${name}`),
  ]
}

/** What an audit entry says about a write's findings: counts and kinds, never a value. */
export function findingsSummary(fresh: readonly ContactFinding[]): {
  findings: number
  flagged: number
  kinds: string
} {
  return {
    findings: fresh.length,
    flagged: fresh.filter((finding) => finding.status === 'flagged').length,
    kinds: kindsOf(fresh),
  }
}

export function kindsOf(findings: readonly ContactFinding[]): string {
  return [...new Set(findings.map((finding) => finding.kind))].sort().join(',')
}

function scannableFieldsOf(profile: Profile): string[] {
  return writtenFields({
    name: profile.name,
    externalId: profile.externalId,
    attributes: profile.attributes,
  })
}

function attributeOf(field: string): string {
  return field.slice('attributes.'.length)
}

function valueOf(profile: Profile, field: string): string | number | undefined {
  const value =
    field === 'name'
      ? profile.name
      : field === 'externalId'
        ? profile.externalId
        : field.startsWith('attributes.') && Object.hasOwn(profile.attributes, attributeOf(field))
          ? profile.attributes[attributeOf(field)]
          : undefined
  return typeof value === 'string' || typeof value === 'number' ? value : undefined
}

export interface ContactRedaction {
  profile: Profile
  /** The findings redacted now, at their new places. */
  redacted: ContactFinding[]
}

/**
 * Redacts findings of a stored contact in place, on an operator's decision: every
 * flagged finding, or every finding not yet redacted in the named fields. Text keeps
 * `[redacted: <kind>]` where the value was and the other findings of the field move
 * with it; a number attribute is removed. The external id is never rewritten (see
 * `scanContact`): naming it is refused by the caller, and its findings stay flagged.
 */
export function redactContactFindings(
  profile: Profile,
  fields: readonly string[] | undefined,
): ContactRedaction {
  const chosen = new Set(
    profile.findings.filter(
      (finding) =>
        finding.field !== 'externalId' &&
        finding.status !== 'redacted' &&
        (fields === undefined ? finding.status === 'flagged' : fields.includes(finding.field)),
    ),
  )
  let name = profile.name
  const attributes: Attributes = { ...profile.attributes }
  const findings: ContactFinding[] = []
  const redacted: ContactFinding[] = []
  const byField = new Map<string, ContactFinding[]>()
  for (const finding of profile.findings) {
    byField.set(finding.field, [...(byField.get(finding.field) ?? []), finding])
  }
  for (const [field, ofField] of byField) {
    const value = valueOf({ ...profile, name, attributes }, field)
    if (!ofField.some((finding) => chosen.has(finding)) || value === undefined) {
      findings.push(...ofField)
      continue
    }
    let moved: (ContactFinding & { redacted: boolean })[]
    if (typeof value === 'number') {
      Reflect.deleteProperty(attributes, attributeOf(field))
      moved = ofField.map((finding) => ({ ...finding, redacted: chosen.has(finding) }))
    } else {
      const result = redactSpans(value, ofField, chosen)
      moved = [...result.spans]
      if (field === 'name') name = result.text
      else attributes[attributeOf(field)] = result.text
    }
    for (const { redacted: isRedacted, ...finding } of moved) {
      const next: ContactFinding = isRedacted ? { ...finding, status: 'redacted' } : finding
      findings.push(next)
      if (isRedacted) redacted.push(next)
    }
  }
  return { profile: { ...profile, name, attributes, findings }, redacted }
}
