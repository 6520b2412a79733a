/** One row: this installation's identity, made on first start. */
export interface InstanceTable {
  slot: 'this'
  id: string
  region: string
  created_at: string
}
