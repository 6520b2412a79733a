/**
 * Contacts: CRM profiles of a workspace's end-users, sealed under their own keys and
 * found by blind indexes; typed custom attributes; enrichment with provenance; the batch
 * import; the last-activity update ingest calls; and the module's personal-data source.
 * Other modules import only from here (the module-surface lint rule says so).
 */
export { findContactIdByExternalId, findContactSubjectId } from './contact-id.js'
export { registerContactRoutes } from './contacts.routes.js'
export {
  type ContactView,
  createContact,
  type ContactDeps,
  findContacts,
  getContact,
  updateContact,
} from './contacts.service.js'
export { contactsSettings } from './contacts.settings.js'
export {
  maxContactsPerBatch,
  prepareContactBatch,
  type PreparedContactBatch,
} from './import-contacts.js'
export { contactsPersonalData, contactsTables } from './personal-data.js'
export { recordContactActivity, type ContactSeen } from './record-activity.js'
