import type { Database } from '../storage/index.js'
import type {
  ConsentPoliciesTable,
  ConsentPurposesTable,
  ConsentPurposeTermsTable,
} from './consent.table.js'

/** SQL for purposes and policy versions. Every function takes the workspace id. */

export async function selectPurpose(
  db: Database,
  workspaceId: string,
  name: string,
): Promise<ConsentPurposesTable | undefined> {
  return db
    .selectFrom('consent_purposes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .executeTakeFirst()
}

export async function selectPurposes(
  db: Database,
  workspaceId: string,
): Promise<ConsentPurposesTable[]> {
  return db
    .selectFrom('consent_purposes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .execute()
}

/** Writes a purpose whole: added, or replacing the stored one of that name. */
export async function upsertPurpose(db: Database, row: ConsentPurposesTable): Promise<void> {
  const changes = {
    lawful_basis: row.lawful_basis,
    description: row.description,
    data_categories: row.data_categories,
    direct_marketing: row.direct_marketing,
    automated_decisions: row.automated_decisions,
    min_policy_seq: row.min_policy_seq,
    updated_at: row.updated_at,
  }
  await db
    .insertInto('consent_purposes')
    .values(row)
    .onConflict((conflict) => conflict.columns(['workspace_id', 'name']).doUpdateSet(changes))
    .execute()
}

export async function selectPolicies(
  db: Database,
  workspaceId: string,
): Promise<ConsentPoliciesTable[]> {
  return db
    .selectFrom('consent_policies')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('seq', 'desc')
    .execute()
}

export async function selectPolicyByVersion(
  db: Database,
  workspaceId: string,
  version: string,
): Promise<ConsentPoliciesTable | undefined> {
  return db
    .selectFrom('consent_policies')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('version', '=', version)
    .executeTakeFirst()
}

export async function selectPolicyById(
  db: Database,
  workspaceId: string,
  policyId: string,
): Promise<ConsentPoliciesTable | undefined> {
  return db
    .selectFrom('consent_policies')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', policyId)
    .executeTakeFirst()
}

export async function selectLatestPolicy(
  db: Database,
  workspaceId: string,
): Promise<ConsentPoliciesTable | undefined> {
  return db
    .selectFrom('consent_policies')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** Inserts a version unless its number or label is taken; true when this call added it. */
export async function insertPolicy(db: Database, row: ConsentPoliciesTable): Promise<boolean> {
  const result = await db
    .insertInto('consent_policies')
    .values(row)
    .onConflict((conflict) => conflict.doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

/** Keeps a purpose's terms; terms already kept (the same digest) are left as they are. */
export async function insertPurposeTerms(
  db: Database,
  row: ConsentPurposeTermsTable,
): Promise<void> {
  await db
    .insertInto('consent_purpose_terms')
    .values(row)
    .onConflict((conflict) => conflict.columns(['workspace_id', 'terms_sha256']).doNothing())
    .execute()
}

export async function selectPurposeTerms(
  db: Database,
  workspaceId: string,
  termsSha256: string,
): Promise<ConsentPurposeTermsTable | undefined> {
  return db
    .selectFrom('consent_purpose_terms')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('terms_sha256', '=', termsSha256)
    .executeTakeFirst()
}
