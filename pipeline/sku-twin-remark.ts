/**
 * Remarks for the end-of-run summary on price-book sku rules that matched no line while lines of the same book
 * and product have a SkuId equal to the rule's but for leading zeros (`1` against `0001`): a pricebooks sheet
 * saved by a spreadsheet loses them, and the lines then fell through to a broader rule without a word (pricebook
 * review). SPEC §2 keeps ids as text (`0001` ≠ `1`), so the rule is not applied; SPEC §5 has no rule id for it,
 * so it is a remark, like the price list's twins named in PRICE_NOT_FOUND's message.
 */
import type { Db } from './db.js'

interface UnusedTwin {
  file: string
  row: number
  book: string
  product: string
  sku: string
  lineSkus: string
  n: number
}

export function skuTwinRemarks(db: Db): string[] {
  const twins = db.sqlite.prepare(
    `select r.source_file as file, r.source_row as row, r.price_book as book, r.product_id as product, r.sku_id as sku,
       group_concat(distinct l.sku_id order by l.sku_id) as lineSkus, count(*) as n
     from price_book_rules r
     join priced_lines p on p.price_book = r.price_book
     join recon_lines l on l.line_id = p.line_id
       and upper(l.product_id) = r.product_id and l.sku_id <> r.sku_id and ltrim(l.sku_id, '0') = ltrim(r.sku_id, '0')
     where lower(r.scope) = 'sku' and not exists (select 1 from priced_lines u where u.rule_id = r.rule_id)
     group by r.rule_id order by r.source_file, r.source_row`,
  ).all() as UnusedTwin[]
  return twins.map((t) =>
    `Price book: the sku rule at ${t.file} row ${t.row} (book '${t.book}', product ${t.product}, SKU ${t.sku}) matched no line, ` +
    `while ${t.n} line${t.n === 1 ? '' : 's'} of that book and product ha${t.n === 1 ? 's' : 've'} SKU ${t.lineSkus} and ${t.n === 1 ? 'was' : 'were'} priced by another rule: ` +
    `ids are compared as written, so if a spreadsheet dropped the leading zeros, write the SkuId as ${t.lineSkus.split(',')[0]} and run again`)
}
