import { INSIGHT_STATES } from './insightStates.js';

/**
 * The states of the AI Score card the preview renders, in the order the README shows them.
 * Each names the Jest fixtures (force-app/main/default/lwc/aiScoreCard/__tests__/data/) the
 * stand-in for getScoreCard delivers, one after the other on each refresh, so the preview
 * shows exactly what the tests check. `expect` is an element the state must show: the
 * screenshot script refuses to photograph a card without it. Plain data: the screenshot
 * script imports it too.
 */
export const CARD_STATES = [
  {
    id: 'scored',
    expect: '.improvement',
    title: 'Scored',
    description:
      'The score and its band, the factors behind it, the biggest lift a rep can make, the model, freshness and the trend.',
    steps: ['scored'],
  },
  {
    id: 'loading',
    expect: 'lightning-spinner',
    title: 'Loading',
    description: 'Waiting for the first answer from Apex.',
    steps: [],
  },
  {
    id: 'no-score',
    expect: '.no-score',
    title: 'No score yet',
    description: 'The record was never scored; users with the Rescore AI Scores permission can score it now.',
    steps: ['noScore'],
  },
  {
    id: 'pending',
    expect: '.status-banner',
    title: 'Scoring in progress',
    description: 'A rescore is queued: the previous score stays visible, dimmed, until the new one lands.',
    steps: ['pending'],
  },
  {
    id: 'updated',
    expect: '.just-updated',
    title: 'New score landed',
    description: 'The scoring job published AI_Score_Event__e: the card refreshed itself without a page reload.',
    steps: ['pending', 'scored'],
    publishScoreEvent: true,
  },
  {
    id: 'error',
    expect: '.score-error',
    title: 'Scoring failed',
    description: 'What went wrong, what the admin should check, and the last successful score.',
    steps: ['error'],
  },
  {
    id: 'stale',
    expect: '.stale-warning',
    title: 'Stale score',
    description: "The score is older than the card's threshold (7 days by default).",
    steps: ['stale'],
  },
  {
    id: 'no-access',
    expect: '.no-access',
    title: 'No access',
    description: 'A user without access to AI scores sees how to get it, never an error page.',
    steps: ['noAccess'],
  },
  {
    id: 'not-configured',
    expect: '.not-configured',
    title: 'Not configured',
    description: 'No endpoint fits the page: the admin is told what to fix.',
    steps: ['notConfigured'],
  },
  {
    id: 'load-error',
    expect: '.load-error',
    title: 'Could not load',
    description: 'The Apex call failed: a readable message, with the details behind a toggle.',
    steps: ['loadError'],
  },
];

/**
 * Every state of both components, each with the component it shows and the screenshot it makes
 * (docs/screenshots/<screenshot>.png).
 */
export const STATES = [
  ...CARD_STATES.map((state) => ({ ...state, component: 'aiScoreCard', screenshot: `score-card-${state.id}` })),
  ...INSIGHT_STATES.map((state) => ({
    ...state,
    component: 'aiInsightPanel',
    screenshot: `insight-panel-${state.id.replace(/^insight-/, '')}`,
  })),
];
