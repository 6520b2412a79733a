import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * Starts a worker thread on the module next to `importMetaUrl` named `name` (without
 * extension). Under tsx (tests, `npm run dev`) the calling module is TypeScript, and the
 * worker must register tsx before it can load a TypeScript module (Node 20 workers do
 * not inherit the loader); built, the worker is plain JavaScript.
 */
export function startModuleWorker(
  importMetaUrl: string,
  name: string,
  options: Omit<WorkerOptions, 'eval'> = {},
): Worker {
  const fromSource = importMetaUrl.endsWith('.ts')
  const url = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, importMetaUrl)
  if (!fromSource) return new Worker(url, options)
  const tsx = import.meta.resolve('tsx/esm/api')
  const code = `import(${JSON.stringify(tsx)})
    .then((api) => { api.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(code, { ...options, eval: true })
}
