import type { DB } from '../storage/index.js'

/**
 * Every table of the database, classified in one object the compiler keeps whole
 * (`satisfies Record<keyof DB, …>`): adding a table to `DB` without classifying it here
 * fails the type check, and the registry test fails when a personal table is not
 * claimed by exactly one source, or a source claims a table classified otherwise.
 */
export type TableClass =
  | {
      readonly personal: false
      readonly module: string
      readonly why: string
      /** Its binary columns, each with what it holds (a personal table's are its source's). */
      readonly binary?: Readonly<Record<string, string>>
    }
  | {
      readonly personal: true
      readonly module: string
      /** What an erasure does to the person's rows. */
      readonly erasure: 'erased' | 'retained' | 'expires'
      readonly why: string
    }

export const tableClassification = {
  instance: { personal: false, module: 'storage', why: 'the instance id and its region' },
  key_check: {
    personal: false,
    module: 'crypto',
    why: 'a canary sealed under the master key',
    binary: { canary: 'a known value sealed under the master key' },
  },
  shred_epoch: { personal: false, module: 'crypto', why: 'a counter of shreds, for key caches' },
  workspace_keys: {
    personal: false,
    module: 'crypto',
    why: "wrapped workspace keys: key material about no one (the controller's own)",
    binary: { wrapped_key: 'a workspace key wrapped under the master key' },
  },
  subject_keys: {
    personal: false,
    module: 'crypto',
    why: "wrapped data keys under pseudonymous ids: nothing about the person; the erasure walk destroys a person's keys before anything else",
    binary: { wrapped_key: 'a data key wrapped under its workspace key' },
  },
  blind_index_keys: {
    personal: false,
    module: 'crypto',
    why: 'wrapped index keys',
    binary: { wrapped_key: 'an index key wrapped under the master key' },
  },
  audit_entries: {
    personal: true,
    module: 'audit',
    erasure: 'retained',
    why: 'the record of who did what to whose data is kept (Art. 17(3)(b), (e)); the person appears only as a blind reference and their IP is sealed under their own key, so it stops opening when they are erased',
  },
  audit_chain_head: {
    personal: false,
    module: 'audit',
    why: 'the hash of the last entry',
    binary: {
      hash: 'the hash of the last entry',
      seal: "a MAC of the head under the instance's key",
    },
  },
  audit_anchor: {
    personal: false,
    module: 'audit',
    why: 'where the chain starts after retention removed its oldest entries: a position and a hash',
    binary: {
      hash: 'the hash of the last entry removed, which the first kept entry chains to',
      seal: "a MAC of the anchor under the instance's key",
    },
  },
  workspaces: {
    personal: false,
    module: 'workspaces',
    why: 'the controller (a business) and its settings',
    binary: {
      controller:
        "the controller record: its contact points, the DPO's and a representative's among them, sealed under the workspace's own key (the controller replaces it; it is published in the privacy notice, so no person's erasure reaches it)",
    },
  },
  api_keys: { personal: false, module: 'identity', why: 'hashes of keys and their labels' },
  operators: {
    personal: true,
    module: 'identity',
    erasure: 'erased',
    why: "a staff member's account",
  },
  operator_tokens: {
    personal: true,
    module: 'identity',
    erasure: 'erased',
    why: "an operator's setup links (hashes)",
  },
  recovery_codes: {
    personal: true,
    module: 'identity',
    erasure: 'erased',
    why: "an operator's recovery codes (hashes)",
  },
  sessions: {
    personal: true,
    module: 'identity',
    erasure: 'erased',
    why: "an operator's sessions",
  },
  sign_in_attempts: {
    personal: true,
    module: 'identity',
    erasure: 'expires',
    why: 'sign-in attempts under blind indexes of an email or address; gone within 15 minutes of the last one',
  },
  sign_in_throttles: {
    personal: true,
    module: 'identity',
    erasure: 'expires',
    why: 'lock rows under blind indexes of an email or address; pruned with the attempts',
  },
  consent_purposes: { personal: false, module: 'consent', why: "the workspace's purposes" },
  consent_purpose_terms: {
    personal: false,
    module: 'consent',
    why: 'the wording of purposes as choices were made under it',
  },
  consent_policies: { personal: false, module: 'consent', why: 'versions of the privacy notice' },
  consent_subjects: {
    personal: true,
    module: 'consent',
    erasure: 'erased',
    why: "a person's consent standing: restriction, objections, declared age",
  },
  consent_states: {
    personal: true,
    module: 'consent',
    erasure: 'erased',
    why: "a person's latest choice per purpose",
  },
  consent_events: {
    personal: true,
    module: 'consent',
    erasure: 'erased',
    why: "the ledger of a person's choices, with their proof",
  },
  contacts: { personal: true, module: 'contacts', erasure: 'erased', why: 'CRM profiles' },
  contact_attributes: {
    personal: false,
    module: 'contacts',
    why: "the names and types of a workspace's custom attributes",
  },
  tracking_events: {
    personal: true,
    module: 'tracking',
    erasure: 'erased',
    why: "a person's page views and events",
  },
  subjects: {
    personal: true,
    module: 'subjects',
    erasure: 'erased',
    why: 'which pseudonymous subject ids are one person (a visitor merged into a contact): who the person is, by id only',
  },
  subject_identifiers: {
    personal: true,
    module: 'subjects',
    erasure: 'erased',
    why: "blind indexes of a person's identifiers (email, external id, anonymous id)",
  },
  subject_erasures: {
    personal: false,
    module: 'subjects',
    why: "the ids of an erased person's key holders and the times of each step: they open nothing and name no one once the keys are gone, and are kept so a restored backup can replay the erasure",
  },
  rights_requests: {
    personal: true,
    module: 'rights',
    erasure: 'retained',
    why: 'a data subject request is the proof of how the person was answered (Art. 5(2), 12): kept, sealed under its own key, for the limitation period (Art. 17(3)(b), (e))',
  },
  rights_request_events: {
    personal: false,
    module: 'rights',
    why: "a request's timeline: states, times, actors' ids and problem codes, never the person's data",
  },
  rights_legal_holds: {
    personal: true,
    module: 'rights',
    erasure: 'retained',
    why: 'the reason data was kept despite erasure (Art. 17(3)(b), (e)), sealed under its own key',
  },
  job_leases: {
    personal: false,
    module: 'jobs',
    why: 'which process runs a periodic job, and its last outcome in counts',
  },
  subprocessors: {
    personal: false,
    module: 'transfers',
    why: 'the companies personal data may be sent to, their agreements and transfer mechanisms',
  },
  workspace_signing_keys: {
    personal: false,
    module: 'signing',
    why: "a workspace's keys that sign consent receipts: key material about no one",
    binary: {
      private_key:
        'an Ed25519 private key (PKCS #8) sealed under a key of its own; retired keys keep only verifying',
    },
  },
  data_map_extensions: {
    personal: false,
    module: 'governance',
    why: "a workspace's own categories of its data map: what it processes, never whose",
  },
  dpias: {
    personal: false,
    module: 'governance',
    why: "a workspace's DPIAs and risk register: processing and risks described, the signer as an operator id",
  },
  inbox_conversations: {
    personal: true,
    module: 'inbox',
    erasure: 'erased',
    why: "a person's conversations with the workspace: who, when, state, assignee",
  },
  inbox_messages: {
    personal: true,
    module: 'inbox',
    erasure: 'erased',
    why: 'what the person and the operators wrote, sealed under the person or their own key',
  },
  inbox_attachments: {
    personal: true,
    module: 'inbox',
    erasure: 'erased',
    why: 'files exchanged in a conversation, sealed under the person',
  },
  inbox_findings: {
    personal: true,
    module: 'inbox',
    erasure: 'erased',
    why: "which kinds of sensitive data a person's message held, and where (never the values)",
  },
  inbox_enrichments: {
    personal: true,
    module: 'inbox',
    erasure: 'erased',
    why: "the person's public profile as resolved by an enrichment provider, with provenance",
  },
  drp_agents: {
    personal: false,
    module: 'drp',
    why: "authorised agents (organisations) a workspace accepts Data Rights Protocol requests from, and the hash of each one's token",
    binary: {
      verify_key: "the agent's public Ed25519 key: verifies its signatures, secret to no one",
    },
  },
  drp_requests: {
    personal: true,
    module: 'drp',
    erasure: 'retained',
    why: "the agent's side of a data subject request, proof of how the agent was answered (Art. 5(2), 12): kept like the request, what the agent tied to the person sealed under the row's own key (Art. 17(3)(b), (e))",
  },
  drp_seen_messages: {
    personal: false,
    module: 'drp',
    why: 'SHA-256 hashes of signed messages already taken, until they expire: refuses replays; a hash of a signed message reveals nothing of it',
  },
  breach_incidents: {
    personal: false,
    module: 'breach',
    why: 'the breach register (Art. 33(5)): facts, counts and decisions; a window and a pseudonymous actor id name whose audit trail to read, never a person',
    binary: {
      narrative:
        "the incident's free text (description, consequences, measures, the DPO's assessment, the reasons of the decisions) sealed under the workspace's own key, as the controller record is: an operator may write anything there",
    },
  },
  breach_alerts: {
    personal: false,
    module: 'breach',
    why: 'alerts of the detection rules: the rule, counts, thresholds and audit seqs, with pseudonymous actor ids; never an address or a name',
  },
  breach_detection: {
    personal: false,
    module: 'breach',
    why: "the detection cursor and the rules' sliding windows: pseudonymous actor ids and keyed digests (HMAC) of network prefixes and subject ids, each dropped when its window (at most the baseline period) passes",
  },
} as const satisfies Record<keyof DB, TableClass>

export type TableName = keyof typeof tableClassification

export const personalTables = (Object.keys(tableClassification) as TableName[]).filter(
  (name) => tableClassification[name].personal,
)
