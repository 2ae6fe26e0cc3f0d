/**
 * Invented customer and reseller names for the benchmark month. A fixed share of customers get names with
 * non-ASCII letters (real exports: ~23 % of usage rows), because UTF-8 decoding cost depends on it
 * (PERFORMANCE-NOTES a3). Combinations of common words and surnames; no real company is meant. Pure functions.
 */
import type { Rng } from '../../scripts/synthetic/prng.js'

const ASCII_FIRST = ['Northwind', 'Alder', 'Bluewater', 'Cedar', 'Summit', 'Harbor', 'Granite', 'Maple', 'Riverside', 'Silverline', 'Oakridge', 'Pinecrest', 'Lakeside', 'Redwood', 'Westfield', 'Brightpath', 'Ironwood', 'Clearwater', 'Stonebridge', 'Fairview']
const ASCII_TRADE = ['Dental', 'Logistics', 'Consulting', 'Manufacturing', 'Legal', 'Architects', 'Foods', 'Health', 'Engineering', 'Retail', 'Media', 'Energy', 'Travel', 'Insurance', 'Software']
const ASCII_FORM = ['LLC', 'Inc.', 'Ltd', 'Group', 'Partners', 'Co.']

const LOCAL: ReadonlyArray<{ names: readonly string[]; trades: readonly string[]; forms: readonly string[]; country: string; tld: string }> = [
  { names: ['Müller', 'Schröder', 'Bäcker', 'Jäger', 'Köhler', 'Groß'], trades: ['Logistik', 'Bäckerei', 'Maschinenbau', 'Rechtsanwälte', 'Gebäudetechnik'], forms: ['GmbH', 'AG', 'KG'], country: 'DE', tld: 'de' },
  { names: ['Lefèvre', 'Gérard', 'Bérénice', 'Mercier', 'Valérie'], trades: ['Conseil', 'Boulangerie', 'Électricité', 'Études', 'Frères'], forms: ['SARL', 'SAS', 'SA'], country: 'FR', tld: 'fr' },
  { names: ['Núñez', 'Muñoz', 'Peña', 'Ibáñez'], trades: ['Asesores', 'Construcción', 'Logística', 'Diseño'], forms: ['S.L.', 'S.A.'], country: 'ES', tld: 'es' },
  { names: ['Dvořák', 'Novák', 'Černý', 'Růžička'], trades: ['Strojírny', 'Stavby', 'Účetnictví'], forms: ['s.r.o.', 'a.s.'], country: 'CZ', tld: 'cz' },
  { names: ['Søndergaard', 'Ångström', 'Bjørn', 'Åberg', 'Lindqvist'], trades: ['Rådgivning', 'Bygg', 'Träteknik', 'Fiskeri'], forms: ['ApS', 'AB', 'AS'], country: 'DK', tld: 'dk' },
  { names: ['Öztürk', 'Şahin', 'Çelik', 'Yılmaz'], trades: ['Gıda', 'İnşaat', 'Tekstil'], forms: ['A.Ş.', 'Ltd. Şti.'], country: 'TR', tld: 'tr' },
  { names: ['Łukasiewicz', 'Wójcik', 'Zieliński', 'Dąbrowski'], trades: ['Budownictwo', 'Usługi', 'Księgowość'], forms: ['Sp. z o.o.', 'S.A.'], country: 'PL', tld: 'pl' },
]

export interface CompanyName {
  name: string
  domain: string
  country: string
}

/** Exactly 23 % of indexes (spread evenly) are non-ASCII. */
export function isNonAscii(index: number): boolean {
  return Math.floor((index + 1) * 0.23) > Math.floor(index * 0.23)
}

export function customerName(rng: Rng, index: number): CompanyName {
  if (isNonAscii(index)) {
    const locale = rng.pick(LOCAL)
    const name = `${rng.pick(locale.names)} ${rng.pick(locale.trades)} ${rng.pick(locale.forms)}`
    return { name, domain: `${slug(name)}${index}.onmicrosoft.com`, country: locale.country }
  }
  const name = `${rng.pick(ASCII_FIRST)} ${rng.pick(ASCII_TRADE)} ${rng.pick(ASCII_FORM)}`
  return { name, domain: `${slug(name)}${index}.onmicrosoft.com`, country: 'US' }
}

export function resellerName(rng: Rng): string {
  return `${rng.pick(ASCII_FIRST)} ${rng.pick(['Cloud', 'IT', 'Digital', 'Systems', 'Networks'])} ${rng.pick(['Solutions', 'Services', 'Partners'])}`
}

function slug(name: string): string {
  return name.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '').toLowerCase().slice(0, 24)
}
