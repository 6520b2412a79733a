/**
 * Inbox: conversations between a workspace and a person (a contact or an anonymous
 * visitor), their messages with sealed bodies and attachments, sensitive-data detection
 * on every write with findings operators see and redact in place, and enrichment of the
 * person's public profile with provenance. Other modules import only from here.
 */
export {
  defaultDetectionThreshold,
  type DetectOptions,
  detectSensitiveData,
  type Finding,
  type FindingKind,
  findingKinds,
} from './detect.logic.js'
