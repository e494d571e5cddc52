/** A request for the bundled lead-scoring model, printed as a ready-to-paste curl when the service boots in development. */
export const LEAD_EXAMPLE = {
  model: 'lead-scoring',
  explain: true,
  improve: true,
  topK: 3,
  records: [
    {
      id: '00Q000000000001AAA',
      features: {
        LeadSource: 'Partner Referral',
        Industry: 'Technology',
        Country: 'United States',
        TitleSeniority: 'VP',
        AnnualRevenue: 25000000,
        NumberOfEmployees: 180,
        HasEmail: true,
        HasPhone: true,
        DaysSinceLastActivity: 3,
        EmailOpens30d: 4,
      },
    },
  ],
};
