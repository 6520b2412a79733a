import { auditPersonalData, auditTables } from './audit/index.js'
import type { Keyring } from './crypto/index.js'
import { consentPersonalData, consentTables } from './consent/index.js'
import { contactsPersonalData, contactsTables } from './contacts/index.js'
import { drpPersonalData, drpTables } from './drp/index.js'
import { identityPersonalData, identityTables } from './identity/index.js'
import { inboxPersonalData, inboxTables } from './inbox/index.js'
import {
  createPersonalDataRegistry,
  type PersonalDataRegistry,
  type PersonalDataSource,
  type PersonalTable,
  type SealedColumns,
} from './personal-data/index.js'
import { rightsPersonalData, rightsTables } from './rights/index.js'
import type { Database } from './storage/index.js'
import { subjectsPersonalData, subjectsTables } from './subjects/index.js'
import { trackingPersonalData, trackingTables } from './tracking/index.js'

interface SourceDeps {
  db: Database
  keyring: Keyring
}

/**
 * Every module that holds personal data, listed once, as the migrations are: its
 * tables (static, for the sealed-column declarations the keyring needs before any
 * source exists) and the factory of its source. A new module adds one line here.
 */
const modulesWithPersonalData: readonly {
  tables: readonly PersonalTable[]
  source: (deps: SourceDeps) => PersonalDataSource
}[] = [
  { tables: subjectsTables, source: subjectsPersonalData },
  { tables: identityTables, source: identityPersonalData },
  { tables: contactsTables, source: contactsPersonalData },
  { tables: consentTables, source: consentPersonalData },
  { tables: trackingTables, source: trackingPersonalData },
  { tables: rightsTables, source: rightsPersonalData },
  { tables: inboxTables, source: inboxPersonalData },
  { tables: drpTables, source: drpPersonalData },
  { tables: auditTables, source: auditPersonalData },
]

/** The registry of every module's source, checked against the table classification. */
export function createRegistryOfModules(deps: SourceDeps): PersonalDataRegistry {
  return createPersonalDataRegistry(modulesWithPersonalData.map((module) => module.source(deps)))
}

/** Every sealed column of every module, for the keyring's re-sealing. */
export function sealedColumnsOfModules(): SealedColumns[] {
  return modulesWithPersonalData.flatMap((module) =>
    module.tables.flatMap((table) =>
      table.sealed === undefined ? [] : [{ table: table.name, ...table.sealed }],
    ),
  )
}
