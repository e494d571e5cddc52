/**
 * The states of the AI Insights panel the preview renders, after the score card's. Each names
 * the Jest fixtures (force-app/main/default/lwc/aiInsightPanel/__tests__/data/) its stand-ins
 * deliver: `templates` for the listTemplates wire (or `templatesError`, or none to stay
 * loading), and `generate` for the answer to Generate, which the preview presses itself
 * (`pending` never answers). `expect` is an element the state must show. Plain data: the
 * screenshot script and the browser test import it too.
 */
export const INSIGHT_STATES = [
  {
    id: 'insight-ready',
    expect: '.generate-button',
    title: 'Ready to generate',
    description: 'The active templates for the object; the rep picks one and selects Generate.',
    templates: 'templates',
  },
  {
    id: 'insight-loading',
    expect: '.loading lightning-spinner',
    title: 'Loading',
    description: 'Waiting for the templates from Apex.',
  },
  {
    id: 'insight-generating',
    expect: '.generating',
    title: 'Writing the insight',
    description: 'Generate was selected; the LLM is writing.',
    templates: 'templates',
    generate: 'pending',
  },
  {
    id: 'insight-success',
    expect: '.insight-text',
    title: 'Insight ready',
    description: 'The text, the model, masked values and cost, copy, generate again, and a thumb to rate it.',
    templates: 'templates',
    generate: 'success',
  },
  {
    id: 'insight-cut-short',
    expect: '.cut-short',
    title: 'Cut short',
    description: 'The answer reached its length limit: the panel says it may stop mid-sentence.',
    templates: 'templates',
    generate: 'cutShort',
  },
  {
    id: 'insight-providers-failed',
    expect: '.retry-button',
    title: 'Providers failed',
    description: 'Every provider of the route failed: try again, with the details for the admin.',
    templates: 'templates',
    generate: 'providersFailed',
  },
  {
    id: 'insight-deadline',
    expect: '.generate-error',
    title: 'Too slow',
    description: 'No answer within the deadline.',
    templates: 'templates',
    generate: 'deadlineExceeded',
  },
  {
    id: 'insight-route-not-found',
    expect: '.generate-error',
    title: 'Route not set up',
    description: "The template's route is not in the service's routes file: the admin is told what to fix.",
    templates: 'templates',
    generate: 'routeNotFound',
  },
  {
    id: 'insight-no-access',
    expect: '.generate-error',
    title: 'No access to a field',
    description: 'The rep cannot read a field the template uses, so nothing was sent.',
    templates: 'templates',
    generate: 'noAccess',
  },
  {
    id: 'insight-no-templates',
    expect: '.no-templates',
    title: 'Not set up',
    description: 'No active template for the object.',
    templates: 'none',
  },
  {
    id: 'insight-load-error',
    expect: '.load-error',
    title: 'Could not load',
    description: 'The Apex call for the templates failed: a readable message, with the details behind a toggle.',
    templatesError: 'loadError',
  },
];
