import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { test } from 'node:test'
import type { BlindIndexer } from '../crypto/index.js'
import { visitorOfToken, visitorTokenOf } from './visitor-token.js'

// An indexer with a known key: the real one computes the same keyed HMAC (crypto/blind-index.ts).
const indexerWith = (key: string): BlindIndexer => ({
  index: (kind, value) => createHmac('sha256', key).update(`${kind}\u0000${value}`).digest(),
  hex: (kind, value) => createHmac('sha256', key).update(`${kind}\u0000${value}`).digest('hex'),
})

test('a token names its anonymous id and proves it; another workspace or a changed id fails', () => {
  const workspace = indexerWith('workspace-a')
  const token = visitorTokenOf(workspace, 'anon-1')
  assert.equal(visitorOfToken(workspace, token), 'anon-1')
  assert.equal(visitorOfToken(indexerWith('workspace-b'), token), undefined)
  const [, mac] = token.split('.')
  const claimed = `${Buffer.from('anon-2').toString('base64url')}.${mac ?? ''}`
  assert.equal(visitorOfToken(workspace, claimed), undefined)
  assert.equal(visitorOfToken(workspace, 'no-dot'), undefined)
})
