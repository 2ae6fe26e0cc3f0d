/** The product categories of SPEC §3.1, as lines carry them and price-book rules name them (lower-case). */
export const CATEGORIES = [
  'credit', 'azure-plan', 'reservation', 'savings-plan', 'marketplace', 'software-subscription', 'perpetual', 'license',
] as const
export type Category = (typeof CATEGORIES)[number]
