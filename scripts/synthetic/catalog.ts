/**
 * Synthetic product catalogue shared by the sample month and the benchmark generator.
 * Product names are Microsoft's public product names; every id and price here is invented (shaped like the real
 * ones: 12-character ProductId/AvailabilityId, 4-character SkuId). Pure data.
 *
 * License prices: `annual` is the P1Y/Annual whole-term UnitPrice. Every annual price is a multiple of 2.40 so that
 * the premium-derived term prices (P1Y/Monthly = annual × 1.05, P1M/Monthly = annual ÷ 12 × 1.20, SPEC §4.3) and the
 * monthly cycle prices (÷ 12) come out in whole cents, as Microsoft's price lists do. ERP Price = annual × 1.25.
 */

export interface LicenseProduct {
  key: string
  productId: string
  skuId: string
  availabilityId: string
  productName: string
  skuName: string
  /** P1Y/Annual whole-term UnitPrice in the price-list currency. */
  annual: string
  /** Earlier P1Y/Annual price and the date the current one took effect (a mid-life price change). */
  previous?: { annual: string; until: string }
  /** Price list has no P1M/Monthly row for it: pricing must derive it (PRICE_DERIVED). */
  noMonthlyTermRow?: boolean
  /** Also sold as a P3Y/Triennial term. */
  triennial?: boolean
  addOn?: boolean
}

export const LICENSES: readonly LicenseProduct[] = [
  { key: 'basic', productId: 'CFQ7TTC0S1B4', skuId: '0001', availabilityId: 'CFQ7TTC0V2KD', productName: 'Microsoft 365 Business Basic', skuName: 'Microsoft 365 Business Basic', annual: '57.60' },
  { key: 'standard', productId: 'CFQ7TTC0S1D7', skuId: '0001', availabilityId: 'CFQ7TTC0V2MF', productName: 'Microsoft 365 Business Standard', skuName: 'Microsoft 365 Business Standard', annual: '144.00' },
  { key: 'premium', productId: 'CFQ7TTC0S1F9', skuId: '0002', availabilityId: 'CFQ7TTC0V2PH', productName: 'Microsoft 365 Business Premium', skuName: 'Microsoft 365 Business Premium', annual: '264.00' },
  { key: 'e3', productId: 'CFQ7TTC0S2H3', skuId: '0001', availabilityId: 'CFQ7TTC0V2RK', productName: 'Microsoft 365 E3', skuName: 'Microsoft 365 E3', annual: '345.60', previous: { annual: '331.20', until: '2026-03-31' } },
  { key: 'e5', productId: 'CFQ7TTC0S2K5', skuId: '0001', availabilityId: 'CFQ7TTC0V2TM', productName: 'Microsoft 365 E5', skuName: 'Microsoft 365 E5 (no Teams)', annual: '633.60' },
  { key: 'exo1', productId: 'CFQ7TTC0S3M8', skuId: '0001', availabilityId: 'CFQ7TTC0V2WP', productName: 'Exchange Online (Plan 1)', skuName: 'Exchange Online (Plan 1)', annual: '38.40' },
  { key: 'exo2', productId: 'CFQ7TTC0S3P1', skuId: '0001', availabilityId: 'CFQ7TTC0V2XR', productName: 'Exchange Online (Plan 2)', skuName: 'Exchange Online (Plan 2)', annual: '76.80' },
  { key: 'teams', productId: 'CFQ7TTC0S4R2', skuId: '0001', availabilityId: 'CFQ7TTC0V2ZT', productName: 'Microsoft Teams Essentials', skuName: 'Microsoft Teams Essentials', annual: '38.40' },
  { key: 'defender', productId: 'CFQ7TTC0S4T6', skuId: '0002', availabilityId: 'CFQ7TTC0V31V', productName: 'Microsoft Defender for Business', skuName: 'Microsoft Defender for Business', annual: '28.80', noMonthlyTermRow: true, addOn: true },
  { key: 'pbi', productId: 'CFQ7TTC0S5V9', skuId: '0001', availabilityId: 'CFQ7TTC0V33X', productName: 'Power BI Pro', skuName: 'Power BI Pro', annual: '115.20' },
  { key: 'visio', productId: 'CFQ7TTC0S5X2', skuId: '0001', availabilityId: 'CFQ7TTC0V35Z', productName: 'Visio Plan 2', skuName: 'Visio Plan 2', annual: '144.00' },
  { key: 'project', productId: 'CFQ7TTC0S6Z4', skuId: '0001', availabilityId: 'CFQ7TTC0V372', productName: 'Project Plan 3', skuName: 'Project Plan 3', annual: '288.00' },
  { key: 'apps', productId: 'CFQ7TTC0S7B7', skuId: '0002', availabilityId: 'CFQ7TTC0V394', productName: 'Microsoft 365 Apps for business', skuName: 'Microsoft 365 Apps for business', annual: '79.20' },
  { key: 'archiving', productId: 'CFQ7TTC0S7D1', skuId: '0001', availabilityId: 'CFQ7TTC0V3B6', productName: 'Exchange Online Archiving for Exchange Online', skuName: 'Exchange Online Archiving for Exchange Online', annual: '36.00', addOn: true },
  { key: 'bc', productId: 'CFQ7TTC0S8F3', skuId: '0001', availabilityId: 'CFQ7TTC0V3D8', productName: 'Dynamics 365 Business Central Essentials', skuName: 'Dynamics 365 Business Central Essentials', annual: '672.00', triennial: true },
]

export function license(key: string): LicenseProduct {
  const product = LICENSES.find((p) => p.key === key)
  if (!product) throw new Error(`unknown license product ${key}`) // programmer error
  return product
}

/** A Microsoft software subscription (category software-subscription: TermAndBillingCycle contains "Subscription"). */
export const SOFTWARE_SUBSCRIPTION = {
  productId: 'DG7GMGF0T2LK', skuId: '0008', availabilityId: 'DG7GMGF0W1QB',
  productName: 'Windows Server 2022 Standard', skuName: 'Windows Server 2022 Standard - 16 Core License Pack - 1 year',
  annual: '250.00',
}

/** A Microsoft perpetual software product (blank TermAndBillingCycle and ChargeEndDate). */
export const PERPETUAL = {
  productId: 'DG7GMGF0T4NS', skuId: '0002', availabilityId: 'DG7GMGF0W3SD',
  productName: 'SQL Server 2022 Standard', skuName: 'SQL Server 2022 Standard - 2 Core License Pack',
  unitPrice: '1309.44',
}

/** A third-party marketplace SaaS offer (publisher not Microsoft, PublisherId set). */
export const MARKETPLACE = {
  productId: 'DZH318Z0P7QW', skuId: '0003', availabilityId: 'DZH318Z0R2TX',
  productName: 'Lamna Scheduler', skuName: 'Lamna Scheduler Pro (per user)',
  publisherName: 'Lamna Healthcare Software', publisherId: '41827359', unitPrice: '49',
}

/** An Azure reserved VM instance, 1 year, billed monthly. */
export const RESERVATION = {
  productId: 'DZH318Z0M5KC', skuId: '00F4', availabilityId: 'DZH318Z0N8LD',
  productName: 'Virtual Machines Dsv5 Series', skuName: 'Reserved VM Instance, Standard_D4s_v5, US East, 1 Year',
  unitPrice: '140.16',
}

/** One Azure plan meter: one recon line per (subscription, meter), one usage row per resource × day. */
export interface Meter {
  productId: string
  skuId: string
  availabilityId: string
  meterId: string
  productName: string
  skuName: string
  meterCategory: string
  meterSubCategory: string
  meterName: string
  meterRegion: string
  resourceLocation: string
  /** Usage `Unit` / `MeterType` text. */
  unit: string
  /** Recon `TermAndBillingCycle` on Azure plan lines: the meter unit text (FORMATS.md §1.6). */
  termText: string
  /** Recon and usage `UnitType`. */
  unitType: string
  consumedService: string
  /** Retail unit price (USD). */
  unitPrice: string
  /** Typical daily quantity per resource, [min, max]. */
  dailyQuantity: [number, number]
  /** Decimals of a daily quantity. */
  quantityDecimals: number
}

interface MeterBase {
  productName: string
  meterCategory: string
  meterSubCategory: string
  meterName: string
  unit: string
  termText: string
  unitType: string
  consumedService: string
  unitPrice: string
  dailyQuantity: [number, number]
  quantityDecimals: number
}

const METER_BASES: readonly MeterBase[] = [
  { productName: 'Virtual Machines Dv5 Series', meterCategory: 'Virtual Machines', meterSubCategory: 'Dv5 Series', meterName: 'D4s v5', unit: '1 Hour', termText: '1 Compute Hour', unitType: '1 Hour', consumedService: 'Microsoft.Compute', unitPrice: '0.192', dailyQuantity: [6, 24], quantityDecimals: 6 },
  { productName: 'Virtual Machines BS Series Windows', meterCategory: 'Virtual Machines', meterSubCategory: 'BS Series Windows', meterName: 'B2s', unit: '1 Hour', termText: '1 Compute Hour', unitType: '1 Hour', consumedService: 'Microsoft.Compute', unitPrice: '0.0544', dailyQuantity: [12, 24], quantityDecimals: 6 },
  { productName: 'Premium SSD Managed Disks', meterCategory: 'Storage', meterSubCategory: 'Premium SSD Managed Disks', meterName: 'P10 LRS Disk', unit: '1/Month', termText: '1 Disk/Month', unitType: '1/Month', consumedService: 'Microsoft.Compute', unitPrice: '19.71', dailyQuantity: [0.032258, 0.032258], quantityDecimals: 6 },
  { productName: 'Standard HDD Managed Disks', meterCategory: 'Storage', meterSubCategory: 'Standard HDD Managed Disks', meterName: 'S4 LRS Disk', unit: '1/Month', termText: '1 Disk/Month', unitType: '1/Month', consumedService: 'Microsoft.Compute', unitPrice: '1.536', dailyQuantity: [0.032258, 0.064516], quantityDecimals: 6 },
  { productName: 'Blob Storage', meterCategory: 'Storage', meterSubCategory: 'Tiered Block Blob', meterName: 'Hot LRS Data Stored', unit: '1 GB/Month', termText: 'Data Stored (GB/Month)', unitType: '1 GB/Month', consumedService: 'Microsoft.Storage', unitPrice: '0.0208', dailyQuantity: [2, 90], quantityDecimals: 8 },
  { productName: 'Blob Storage', meterCategory: 'Storage', meterSubCategory: 'Tiered Block Blob', meterName: 'Hot Write Operations', unit: '10K', termText: '10K Write Operations', unitType: '10K', consumedService: 'Microsoft.Storage', unitPrice: '0.065', dailyQuantity: [0.1, 40], quantityDecimals: 4 },
  { productName: 'Bandwidth', meterCategory: 'Bandwidth', meterSubCategory: 'Rtn Preference: MGN', meterName: 'Standard Data Transfer Out', unit: '1 GB', termText: 'Data Transfer Out (GB)', unitType: '1 GB', consumedService: 'Microsoft.Network', unitPrice: '0.087', dailyQuantity: [0.5, 60], quantityDecimals: 8 },
  { productName: 'SQL Database Single Standard', meterCategory: 'SQL Database', meterSubCategory: 'Single Standard', meterName: 'S1 DTUs', unit: '1/Day', termText: '10 DTUs/Day', unitType: '1/Day', consumedService: 'Microsoft.Sql', unitPrice: '0.9677', dailyQuantity: [1, 1], quantityDecimals: 0 },
  { productName: 'Log Analytics', meterCategory: 'Log Analytics', meterSubCategory: 'Log Analytics', meterName: 'Analytics Logs Data Ingestion', unit: '1 GB', termText: 'Data Ingestion (GB)', unitType: '1 GB', consumedService: 'Microsoft.OperationalInsights', unitPrice: '2.76', dailyQuantity: [0.01, 3], quantityDecimals: 8 },
  { productName: 'Azure App Service Premium v3 Plan', meterCategory: 'Azure App Service', meterSubCategory: 'Premium v3 Plan', meterName: 'P1 v3 App', unit: '1 Hour', termText: '1 Compute Hour', unitType: '1 Hour', consumedService: 'Microsoft.Web', unitPrice: '0.2', dailyQuantity: [24, 24], quantityDecimals: 0 },
  { productName: 'Key Vault', meterCategory: 'Key Vault', meterSubCategory: 'Standard', meterName: 'Operations', unit: '10K', termText: '10K Operations', unitType: '10K', consumedService: 'Microsoft.KeyVault', unitPrice: '0.03', dailyQuantity: [0.01, 5], quantityDecimals: 4 },
  { productName: 'Virtual Network IP Addresses', meterCategory: 'Virtual Network', meterSubCategory: 'IP Addresses', meterName: 'Standard IPv4 Static Public IP', unit: '1 Hour', termText: '1 Hour', unitType: '1 Hour', consumedService: 'Microsoft.Network', unitPrice: '0.005', dailyQuantity: [24, 24], quantityDecimals: 0 },
  { productName: 'Azure Backup', meterCategory: 'Backup', meterSubCategory: 'Azure VM Protected Instances', meterName: 'Standard Protected Instances', unit: '1/Month', termText: '1/Month', unitType: '1/Month', consumedService: 'Microsoft.RecoveryServices', unitPrice: '10', dailyQuantity: [0.032258, 0.129032], quantityDecimals: 6 },
  { productName: 'Azure Monitor', meterCategory: 'Azure Monitor', meterSubCategory: 'Alerts', meterName: 'Metric Monitored', unit: '1/Month', termText: '1/Month', unitType: '1/Month', consumedService: 'Microsoft.Insights', unitPrice: '0.1', dailyQuantity: [0.032258, 0.322581], quantityDecimals: 6 },
  { productName: 'Azure Functions', meterCategory: 'Functions', meterSubCategory: 'Consumption', meterName: 'Standard Execution Time', unit: '100 GB Seconds', termText: '100 GB Seconds', unitType: '100 GB Seconds', consumedService: 'Microsoft.Web', unitPrice: '0.0016', dailyQuantity: [0, 900], quantityDecimals: 4 },
]

const REGIONS: ReadonlyArray<{ region: string; location: string }> = [
  { region: 'US East', location: 'eastus' },
  { region: 'US West 2', location: 'westus2' },
  { region: 'US Central', location: 'centralus' },
  { region: 'EU West', location: 'westeurope' },
]

/**
 * The meter catalogue: every base meter in every region, each with its own ProductId+SkuId (the tie-out key has no
 * MeterId, so two meters of one subscription must never share ProductId+SkuId). Ids are fixed strings derived
 * from the position, so the catalogue is the same in every run.
 */
export const METERS: readonly Meter[] = METER_BASES.flatMap((base, b) =>
  REGIONS.map((r, i) => {
    const tag = `${b.toString(36).toUpperCase()}${i}`
    return {
      productId: `DZH318Z0B${tag.padStart(3, 'Q')}`,
      skuId: `0${(b * 4 + i + 10).toString(36).toUpperCase().padStart(3, '0')}`,
      availabilityId: `DZH318Z0C${tag.padStart(3, 'W')}`,
      meterId: meterGuid(b, i),
      productName: base.productName,
      skuName: `${base.meterName} - ${r.region}`,
      meterCategory: base.meterCategory,
      meterSubCategory: base.meterSubCategory,
      meterName: base.meterName,
      meterRegion: r.region,
      resourceLocation: r.location,
      unit: base.unit,
      termText: base.termText,
      unitType: base.unitType,
      consumedService: base.consumedService,
      unitPrice: base.unitPrice,
      dailyQuantity: base.dailyQuantity,
      quantityDecimals: base.quantityDecimals,
    }
  }),
)

function meterGuid(b: number, i: number): string {
  const x = ((b + 1) * 2654435761 + (i + 1) * 40503) >>> 0
  const h = x.toString(16).padStart(8, '0')
  return `${h}-${h.slice(0, 4)}-4${h.slice(4, 7)}-a${h.slice(1, 4)}-${h}${h.slice(2, 6)}`
}
