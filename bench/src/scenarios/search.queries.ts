/**
 * What people type into a catalog search box, against the vocabulary of `lib/dataset-generator.ts`.
 * A misspelled query names the words its top hit should contain (`expect`); the scenario checks them.
 */
export interface SearchQuery {
  text: string;
  kind: 'exact' | 'word' | 'phrase' | 'prefix' | 'qualified' | 'typo';
  /** For typos: the intended words, every one of which the first hit's name or description must contain. */
  expect?: string[];
}

export const searchQueries: SearchQuery[] = [
  // Exact dataset names, as copied from SQL or a dbt ref().
  { text: 'fct_sales_orders', kind: 'exact' },
  { text: 'dim_customers', kind: 'exact' },
  { text: 'stg_payments_refunds', kind: 'exact' },
  { text: 'dim_crm_contacts', kind: 'exact' },
  { text: 'fct_finance_revenue_daily', kind: 'exact' },
  { text: 'stg_web_sessions', kind: 'exact' },
  { text: 'int_billing_invoices_history', kind: 'exact' },
  { text: 'rpt_marketing_campaigns', kind: 'exact' },
  // Single words.
  { text: 'customers', kind: 'word' },
  { text: 'orders', kind: 'word' },
  { text: 'revenue', kind: 'word' },
  { text: 'churn', kind: 'word' },
  { text: 'invoices', kind: 'word' },
  { text: 'chargebacks', kind: 'word' },
  { text: 'inventory', kind: 'word' },
  // Several words, as in a question.
  { text: 'revenue daily', kind: 'phrase' },
  { text: 'customer lifetime value', kind: 'phrase' },
  { text: 'orders payments', kind: 'phrase' },
  { text: 'marketing attribution channel', kind: 'phrase' },
  { text: 'fraud risk scores', kind: 'phrase' },
  { text: 'shipping status carrier', kind: 'phrase' },
  { text: 'revenue recognized by month', kind: 'phrase' },
  { text: 'active accounts', kind: 'phrase' },
  { text: 'sales region territory', kind: 'phrase' },
  { text: 'subscription plan billing period', kind: 'phrase' },
  // Where it lives.
  { text: 'marts customers', kind: 'qualified' },
  { text: 'staging orders', kind: 'qualified' },
  { text: 'snowflake invoices', kind: 'qualified' },
  { text: 'raw_stripe refunds', kind: 'qualified' },
  { text: 'stripe payments', kind: 'qualified' },
  // The beginning of a name (search-as-you-type).
  { text: 'fct_ord', kind: 'prefix' },
  { text: 'dim_prod', kind: 'prefix' },
  { text: 'stg_cust', kind: 'prefix' },
  // Misspellings.
  { text: 'custmer', kind: 'typo', expect: ['customer'] },
  { text: 'custmers', kind: 'typo', expect: ['customer'] },
  { text: 'ordrs', kind: 'typo', expect: ['order'] },
  { text: 'paymnts', kind: 'typo', expect: ['payment'] },
  { text: 'ordrs paymnt', kind: 'typo', expect: ['order', 'payment'] },
  { text: 'invocies', kind: 'typo', expect: ['invoice'] },
  { text: 'subscriptons', kind: 'typo', expect: ['subscription'] },
  { text: 'shipmnts', kind: 'typo', expect: ['shipment'] },
  { text: 'revnue', kind: 'typo', expect: ['revenue'] },
  { text: 'campains', kind: 'typo', expect: ['campaign'] },
  { text: 'oportunities', kind: 'typo', expect: ['opportunit'] },
  { text: 'chargebaks', kind: 'typo', expect: ['chargeback'] },
  { text: 'warehoses', kind: 'typo', expect: ['warehouse'] },
  { text: 'emploees', kind: 'typo', expect: ['employee'] },
  { text: 'checkots', kind: 'typo', expect: ['checkout'] },
  { text: 'custmer ordrs', kind: 'typo', expect: ['customer', 'order'] },
  { text: 'dim_custmers', kind: 'typo', expect: ['customer'] },
  { text: 'fct_ordres', kind: 'typo', expect: ['order'] },
  { text: 'revenue daly', kind: 'typo', expect: ['revenue', 'daily'] },
];
