/**
 * The inbox's sensitive-data detection, against baselines measured in the same run:
 *
 * - detection throughput on 500-byte support-chat messages (messages/s and MB/s),
 *   beside a bare regular-expression scan of the same text for the same shapes (long
 *   digit runs and IBAN-like tokens, no validation, no context);
 * - the latency a message write gains from detection: the same write on SQLite, through
 *   the service, with the detectors and with none (BENCH_INBOX_WRITES to change).
 */
import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { startConversation } from '../src/inbox/conversations.service.js'
import { detectSensitiveData } from '../src/detection/index.js'
import { postMessage } from '../src/inbox/post-message.js'
import { createLogger } from '../src/logger.js'
import { withInProcess } from './in-process.js'
import { printFigure, ratio, timeIt } from './report.js'

const messageBytes = 500
const messageCount = 5_000
const writes = Number(process.env.BENCH_INBOX_WRITES ?? 2_000)
const actor = { actorType: 'system' as const, actorId: null }
const logger = createLogger({
  level: 'warn',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
})

/** 500-byte messages made of the corpus's lines, so the mix of hits and misses is the corpus's. */
function messagesOf500Bytes(): string[] {
  const corpus = JSON.parse(
    readFileSync(
      new URL('../../src/detection/testing/detection-corpus.json', import.meta.url),
      'utf8',
    ),
  ) as { messages: { text: string }[] }
  const lines = corpus.messages.map((message) => message.text)
  const messages: string[] = []
  let at = 0
  while (messages.length < messageCount) {
    let text = ''
    while (Buffer.byteLength(text) < messageBytes) {
      text += `${lines[at % lines.length] ?? ''} `
      at += 1
    }
    messages.push(
      Buffer.from(text)
        .subarray(0, messageBytes)
        .toString('utf8')
        .replace(/\uFFFD$/, ''),
    )
  }
  return messages
}

// The same shapes as the validating detectors look for, with nothing validated.
const bareScan =
  /\d(?:[ -]?\d){8,18}|[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}|\d{6}[-+A]\d{3}[0-9A-Y]/g

async function detectionThroughput(): Promise<void> {
  const messages = messagesOf500Bytes()
  const megabytes = messages.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1e6
  let found = 0
  detectSensitiveData(messages[0] ?? '') // warm the word lists and libphonenumber
  const detectMs = await timeIt(() => {
    for (const text of messages) found += detectSensitiveData(text).length
  })
  let matched = 0
  const bareMs = await timeIt(() => {
    for (const text of messages) matched += text.match(bareScan)?.length ?? 0
  })
  const perSecond = (ms: number) => (messageCount / ms) * 1000
  printFigure(
    'detection, 500-byte messages',
    perSecond(detectMs),
    'messages/s',
    ratio(perSecond(detectMs), perSecond(bareMs)),
  )
  printFigure('detection throughput', (megabytes / detectMs) * 1000, 'MB/s')
  printFigure(
    'bare regex scan, same messages (baseline)',
    perSecond(bareMs),
    'messages/s',
    `${matched} matches, ${found} findings`,
  )
  printFigure('bare regex throughput (baseline)', (megabytes / bareMs) * 1000, 'MB/s')
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function writeLatency(): Promise<void> {
  await withInProcess('inbox', logger, async ({ modules, workspace }) => {
    const caller = { kind: 'staff' as const, workspaceId: workspace.id, actor }
    const messages = messagesOf500Bytes()
    const variants = { with: modules.inbox, without: { ...modules.inbox, detect: () => [] } }
    const latencies: Record<keyof typeof variants, number[]> = { with: [], without: [] }
    for (const [name, deps] of Object.entries(variants) as [
      keyof typeof variants,
      typeof modules.inbox,
    ][]) {
      const { conversation } = await startConversation(deps, caller, {
        anonymousId: `bench-${name}`,
      })
      for (let index = 0; index < writes; index += 1) {
        const body = messages[index % messages.length] ?? ''
        latencies[name].push(
          await timeIt(() =>
            postMessage(deps, caller, { conversationId: conversation.id, body, from: 'contact' }),
          ),
        )
      }
    }
    const withMs = median(latencies.with)
    const withoutMs = median(latencies.without)
    printFigure('message write with detection, median', withMs, 'ms', ratio(withMs, withoutMs))
    printFigure('message write without detection, median (baseline)', withoutMs, 'ms')
    printFigure('latency detection adds to a write', withMs - withoutMs, 'ms')
  })
}

await detectionThroughput()
await writeLatency()
