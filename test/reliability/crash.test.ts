import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { testDialects } from '../../src/storage/testing/dialects.js'
import { type ServeProcess, startServeProcess } from '../cli-process.js'
import {
  createWorkspaceByCli,
  dialectSkip,
  makeServeStore,
  type ServeStore,
  verifyAuditByCli,
} from './stores.js'
import { longRun, reportFigure } from './long-run.js'
import {
  acknowledgedCounts,
  emptyLedger,
  type Ledger,
  runWriters,
  seededRandom,
  verifyLedger,
} from './workload.js'

/**
 * Crash durability (DESIGN.md principle 7; Art. 5(1)(f) and 32(1)(c): integrity, and
 * the ability to restore availability after an incident). The real `custodian serve`
 * takes contacts, renames, consents, event batches and rights requests from four
 * concurrent writers and is killed with SIGKILL at a seeded random moment, again and
 * again. After every restart each acknowledged write of the round must read back intact,
 * no write may be visible in part, and at the end the audit chain must verify.
 * `CRASH_SEED=n` chooses the run; `CUSTODIAN_LONG_TESTS=1` kills 20 times per database.
 */
const seed = Number(process.env.CRASH_SEED ?? 20261206)
const kills = longRun ? 20 : 3

for (const dialect of testDialects) {
  describe(`crash durability [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let store: ServeStore | undefined
    after(async () => store?.cleanup())

    test(`every acknowledged write survives ${kills} SIGKILLs (seed ${seed})`, async () => {
      store = await makeServeStore(dialect)
      const keys = createWorkspaceByCli(store, 'Crash Co')
      const random = seededRandom(seed + (dialect === 'postgres' ? 1 : 0))
      const ledger = emptyLedger()
      let server: ServeProcess | undefined
      const client = { baseUrl: () => server?.url ?? '', secretKey: keys.secretKey }
      server = await startServeProcess(store.args, store.env)
      for (let kill = 0; kill < kills; kill += 1) {
        const running = server
        const round = emptyLedger()
        let dead = false
        const writing = runWriters({
          client,
          ledger: round,
          random,
          tag: `k${kill}`,
          writers: 4,
          stop: () => dead,
        })
        // A seeded moment: some kills land on the first writes after start-up (and the
        // erasure resume it runs), others mid-stream.
        await delay(100 + Math.floor(random() * 1400))
        running.child.kill('SIGKILL')
        await running.exited
        dead = true
        await writing
        merge(ledger, round)
        server = await startServeProcess(store.args, store.env)
        // This round's writes, and every contact so far (listed whole, page by page).
        const problems = await verifyLedger(client, { ...round, contacts: ledger.contacts })
        assert.deepEqual(problems, [], `after kill ${kill + 1} (seed ${seed})`)
      }
      const problems = await verifyLedger(client, ledger)
      server.child.kill('SIGTERM')
      await server.exited
      assert.deepEqual(problems, [], `after all kills (seed ${seed})`)
      assert.deepEqual(ledger.serverErrors, [], 'no 5xx while writing')
      const acknowledged = acknowledgedCounts(ledger)
      assert.ok(acknowledged.contacts > 0 && acknowledged.consents > 0, 'the writers got through')
      const audit = verifyAuditByCli(store)
      assert.ok(audit.ok, `audit chain: ${audit.output}`)
      reportFigure(`crash-${dialect}`, {
        seed,
        killsSurvived: kills,
        acknowledgedWrites: ledger.acknowledged,
        unansweredWrites: ledger.unanswered,
        acknowledgedWritesLost: problems.length,
        serverErrors: ledger.serverErrors.length,
        ...acknowledged,
      })
    })
  })
}

function merge(into: Ledger, round: Ledger): void {
  into.contacts.push(...round.contacts)
  into.visits.push(...round.visits)
  into.rights.push(...round.rights)
  into.serverErrors.push(...round.serverErrors)
  into.unanswered += round.unanswered
  into.acknowledged += round.acknowledged
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
