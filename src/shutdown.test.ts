import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { test } from 'node:test'
import { closeOnSignals } from './shutdown.js'
import { captureLogs } from './testing/log-capture.js'

function waitFor(predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (predicate()) {
        clearInterval(poll)
        resolve()
      }
    }, 5)
  })
}

test('SIGTERM waits for close to finish, then exits 0', async () => {
  const signals = new EventEmitter()
  const exits: number[] = []
  let finishClose = () => {}
  const closing = new Promise<void>((resolve) => {
    finishClose = resolve
  })
  closeOnSignals(
    { close: () => closing },
    { logger: captureLogs().logger, signals, exit: (code) => exits.push(code) },
  )
  signals.emit('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.deepEqual(exits, [], 'exited before in-flight work finished')
  finishClose()
  await waitFor(() => exits.length > 0)
  assert.deepEqual(exits, [0])
})

test('a second signal exits 1 at once', () => {
  const signals = new EventEmitter()
  const exits: number[] = []
  closeOnSignals(
    { close: () => new Promise(() => {}) },
    { logger: captureLogs().logger, signals, exit: (code) => exits.push(code) },
  )
  signals.emit('SIGINT')
  signals.emit('SIGTERM')
  assert.deepEqual(exits, [1])
})

test('a close that outlasts the grace period exits 1', async () => {
  const signals = new EventEmitter()
  const exits: number[] = []
  closeOnSignals(
    { close: () => new Promise(() => {}) },
    { logger: captureLogs().logger, signals, exit: (code) => exits.push(code), graceMs: 30 },
  )
  signals.emit('SIGTERM')
  await waitFor(() => exits.length > 0)
  assert.deepEqual(exits, [1])
})

test('a failing close exits 1 and logs the failure', async () => {
  const signals = new EventEmitter()
  const exits: number[] = []
  const logs = captureLogs()
  closeOnSignals(
    { close: () => Promise.reject(new Error('database gone')) },
    { logger: logs.logger, signals, exit: (code) => exits.push(code) },
  )
  signals.emit('SIGTERM')
  await waitFor(() => exits.length > 0)
  assert.deepEqual(exits, [1])
  assert.match(logs.text(), /shutdown failed/)
})
