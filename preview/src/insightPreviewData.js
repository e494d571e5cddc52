import loadError from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/loadError.json';
import templates from '../../force-app/main/default/lwc/aiInsightPanel/__tests__/data/templates.json';
import success from '../../force-app/main/default/lwc/aiInsightPanel/__tests__/data/success.json';
import cutShort from '../../force-app/main/default/lwc/aiInsightPanel/__tests__/data/cutShort.json';
import providersFailed from '../../force-app/main/default/lwc/aiInsightPanel/__tests__/data/providersFailed.json';
import deadlineExceeded from '../../force-app/main/default/lwc/aiInsightPanel/__tests__/data/deadlineExceeded.json';
import routeNotFound from '../../force-app/main/default/lwc/aiInsightPanel/__tests__/data/routeNotFound.json';
import noAccess from '../../force-app/main/default/lwc/aiInsightPanel/__tests__/data/noAccess.json';
import { INSIGHT_STATES } from './insightStates.js';

/**
 * Plays the org for the AI Insights panel's stand-ins. The listTemplates wire is keyed by
 * object only, so each panel's adapter takes the state that was being created when it was
 * made (main.js names it just before createElement); Generate answers by the record id, which
 * is the state's id.
 */
const FIXTURES = {
  templates,
  none: [],
  loadError,
  success,
  cutShort,
  providersFailed,
  deadlineExceeded,
  routeNotFound,
  noAccess,
};
const byId = new Map(INSIGHT_STATES.map((state) => [state.id, state]));
let creating;

/** main.js: the panel about to be created shows this state. */
export function creatingInsightPanel(state) {
  creating = state;
}

/** The wire's result for the panel being created, or undefined to stay loading. */
export function templatesResultForNewPanel() {
  const state = creating;
  creating = undefined;
  if (state?.templatesError) return { data: undefined, error: copy(FIXTURES[state.templatesError]) };
  if (state?.templates) return { data: copy(FIXTURES[state.templates]), error: undefined };
  return undefined;
}

/** The answer to Generate for a record; `pending` never settles, as a slow provider would not yet. */
export function generateAnswer(recordId) {
  const name = byId.get(recordId)?.generate;
  if (name === 'pending') return new Promise(() => {});
  if (!name) return Promise.reject(new Error(`The preview has no insight state named "${recordId}"`));
  return Promise.resolve(copy(FIXTURES[name]));
}

function copy(value) {
  return JSON.parse(JSON.stringify(value));
}
