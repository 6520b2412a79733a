/**
 * Detection: the pure sensitive-data detectors (cards, IBANs, US SSNs, national ids,
 * health hints, emails, phones), redaction in place, and a workspace's detection policy.
 * Its own module so that every writer of personal text (the inbox's messages, the
 * contacts' attributes) and `custodian detect` run the same code, and none of them
 * imports another to get it. Other modules import only from here.
 */
export {
  defaultDetectionThreshold,
  type DetectOptions,
  detectSensitiveData,
  type Finding,
  type FindingKind,
  findingKinds,
  isFlagged,
  minimumConfidence,
} from './detect.logic.js'
export { placeholderOf, type Redacted, redactSpans, type Span } from './redaction.logic.js'
export {
  type DetectionPolicy,
  detectionPolicySchema,
  readDetectionPolicy,
} from './detection.settings.js'
