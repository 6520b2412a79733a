/**
 * Context: the words around a match that make it more or less likely to be what it
 * looks like. "My card: 4111 …" is a card; "order 4111 …" is an order number that
 * happens to pass Luhn. Word lists cover English, German, French, Spanish, Italian,
 * Dutch, Polish, Swedish and Finnish, the languages of the schemes detected.
 */

/** A compiled list of words or phrases, each matched whole (Unicode letters and digits). */
export interface WordList {
  readonly pattern: RegExp
}

/**
 * Words given as regular-expression fragments (`cards?`, `n[º°o]`), matched only as
 * whole words (`id` does not match inside `idea`), and case-insensitively unless an
 * abbreviation is also a common word elsewhere (the Spanish NIE, Polish for "not").
 */
export function wordList(
  words: readonly string[],
  options: { caseSensitive?: boolean } = {},
): WordList {
  const alternatives = [...new Set(words)].sort((a, b) => b.length - a.length).join('|')
  const flags = options.caseSensitive === true ? 'gu' : 'giu'
  return Object.freeze({
    pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, flags),
  })
}

/** How far before and after a match its context is read, in characters. */
export const contextReach = { before: 64, after: 32 } as const

/**
 * Where the nearest word of the list is, as characters between it and the match
 * (before it, or after it within the shorter reach), or undefined when none is near.
 */
export function distanceToWord(
  text: string,
  start: number,
  end: number,
  words: WordList,
): number | undefined {
  const beforeStart = Math.max(0, start - contextReach.before)
  const before = text.slice(beforeStart, start)
  let nearest: number | undefined
  for (const match of before.matchAll(words.pattern)) {
    const distance = before.length - (match.index + match[0].length)
    nearest = nearest === undefined ? distance : Math.min(nearest, distance)
  }
  const after = text.slice(end, end + contextReach.after)
  const following = after.matchAll(words.pattern).next()
  if (!following.done) {
    // A word after the match counts as farther than the same word before it.
    const distance = following.value.index + contextReach.before / 2
    nearest = nearest === undefined ? distance : Math.min(nearest, distance)
  }
  return nearest
}

/** The context of a candidate: its own scheme's words, and words that make it something else. */
export interface ContextRule {
  /** Words naming what the candidate is ("card", "IBAN", "PESEL"). */
  readonly names: WordList
  /** Words naming something else a number is ("order", "invoice", "tracking"). */
  readonly others?: WordList
}

export type ContextVerdict = 'named' | 'other' | 'none'

/** Which of the two lists is nearer the match, when either is near at all. */
export function contextOf(
  text: string,
  start: number,
  end: number,
  rule: ContextRule,
): ContextVerdict {
  const named = distanceToWord(text, start, end, rule.names)
  const other =
    rule.others === undefined ? undefined : distanceToWord(text, start, end, rule.others)
  if (named === undefined && other === undefined) return 'none'
  if (other === undefined) return 'named'
  if (named === undefined) return 'other'
  return named <= other ? 'named' : 'other'
}

/**
 * Words that make a number a reference to something else: orders, invoices, parcels,
 * tickets, bookings, customers, phones. Near a number they lower the confidence that it
 * is a card, a social security number or a national id.
 */
export const referenceWords = wordList([
  // English
  'orders?',
  'order (?:no|number|id|#)',
  'invoices?',
  'receipt',
  'tracking',
  'tracking (?:no|number|code|id)',
  'parcel',
  'package',
  'shipment',
  'consignment',
  'delivery',
  'tickets?',
  'ref',
  'reference',
  'booking',
  'reservation',
  'confirmation',
  'customer (?:no|number|id)',
  'account id',
  'serial',
  'sku',
  'imei',
  'item',
  'article',
  'transaction',
  'phone',
  'tel',
  'telephone',
  'mobile',
  'cell',
  'call',
  'fax',
  'whatsapp',
  'policy',
  'membership',
  'loyalty',
  'voucher',
  'coupon',
  'gift card code',
  'promo',
  // German
  'bestellung',
  'bestellnummer',
  'bestell-nr',
  'auftrag',
  'auftragsnummer',
  'rechnung',
  'rechnungsnummer',
  'rechnungs-nr',
  'sendung',
  'sendungsnummer',
  'sendungsverfolgung',
  'paket',
  'paketnummer',
  'lieferung',
  'kundennummer',
  'kunden-nr',
  'vorgangsnummer',
  'vorgang',
  'aktenzeichen',
  'buchung',
  'buchungsnummer',
  'telefon',
  'telefonnummer',
  'handy',
  'handynummer',
  'mobilnummer',
  'rufnummer',
  'vertragsnummer',
  'seriennummer',
  'artikelnummer',
  'gutschein',
  // French
  'commande',
  'numéro de commande',
  'facture',
  'suivi',
  'colis',
  'livraison',
  'référence',
  'réservation',
  'numéro client',
  'dossier',
  'téléphone',
  'portable',
  'appelez',
  // Spanish
  'pedido',
  'número de pedido',
  'factura',
  'seguimiento',
  'envío',
  'paquete',
  'referencia',
  'reserva',
  'localizador',
  'número de cliente',
  'teléfono',
  'móvil',
  'llámame',
  // Italian
  'ordine',
  'fattura',
  'spedizione',
  'pacco',
  'prenotazione',
  'cellulare',
  'telefono',
  // Dutch
  'bestelling',
  'bestelnummer',
  'factuur',
  'factuurnummer',
  'pakket',
  'zending',
  'klantnummer',
  'telefoonnummer',
  'mobiel',
  // Polish
  'zamówienie',
  'zamówienia',
  'faktura',
  'faktury',
  'przesyłka',
  'przesyłki',
  'paczka',
  'numer zamówienia',
  'telefon',
  'numer telefonu',
  // Swedish
  'order',
  'ordernummer',
  'beställning',
  'kvitto',
  'försändelse',
  'paket',
  'kundnummer',
  'mobilnummer',
  'telefonnummer',
  // Finnish
  'tilaus',
  'tilausnumero',
  'lasku',
  'laskun',
  'lähetys',
  'paketti',
  'seurantakoodi',
  'asiakasnumero',
  'puhelin',
  'puhelinnumero',
])
