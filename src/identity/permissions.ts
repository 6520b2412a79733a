/**
 * Who may do what. One table, read by the authorisation check on every route and
 * printed in the README; changing a role's reach is a change to this file alone.
 */
export const roles = ['owner', 'admin', 'dpo', 'agent'] as const
export type Role = (typeof roles)[number]

export const permissions = [
  'workspace:manage', // settings, region-bound options, deletion
  'operators:manage', // invite, change role, remove operators
  'keys:manage', // create and revoke API keys
  'audit:read', // read the workspace's audit log
  'personal-data:read', // read contacts, events, conversations
  'personal-data:write', // create and change contacts, conversations
  'personal-data:export', // bulk export, access and portability exports
  'personal-data:erase', // erasure, crypto-shredding
  'consent:manage', // purposes, policy versions, operator-recorded consent
  'rights:manage', // work data subject requests
  'governance:manage', // sub-processors, the data map, DPIAs and the risk register
] as const
export type Permission = (typeof permissions)[number]

const everything = new Set<Permission>(permissions)

export const rolePermissions: Readonly<Record<Role, ReadonlySet<Permission>>> = Object.freeze({
  owner: everything,
  admin: new Set<Permission>(permissions.filter((permission) => permission !== 'workspace:manage')),
  // The data protection officer oversees processing: reads, exports and erases for
  // data subject requests, manages consent and reads the audit log, but does not run
  // the workspace or its keys.
  dpo: new Set<Permission>([
    'audit:read',
    'personal-data:read',
    'personal-data:export',
    'personal-data:erase',
    'consent:manage',
    'rights:manage',
    // Art. 39(1)(c): the DPO advises on and monitors DPIAs and the records of processing.
    'governance:manage',
  ]),
  // Agents serve customers: they read and write profiles and conversations, nothing more.
  agent: new Set<Permission>(['personal-data:read', 'personal-data:write']),
})

/** Roles whose accounts are sensitive enough that personal data stays shut until 2FA is on. */
export const rolesRequiringTwoFactor: ReadonlySet<Role> = new Set<Role>(['owner', 'admin', 'dpo'])

export function roleMay(role: Role, permission: Permission): boolean {
  return rolePermissions[role].has(permission)
}
