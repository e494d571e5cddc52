import clock from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/clock.json';
import scored from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/scored.json';
import pending from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/pending.json';
import error from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/error.json';
import stale from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/stale.json';
import noScore from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/noScore.json';
import noAccess from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/noAccess.json';
import notConfigured from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/notConfigured.json';
import loadError from '../../force-app/main/default/lwc/aiScoreCard/__tests__/data/loadError.json';
import { CARD_STATES } from './states.js';

/** The moment the fixtures were written for ("scored 5 minutes ago" is relative to it). */
export const FIXTURE_NOW = Date.parse(clock.now);

const FIXTURES = { scored, pending, error, stale, noScore, noAccess, notConfigured, loadError };

/**
 * Plays the part of the org for the stand-in Apex and empApi modules: each card on the page
 * gets the record id of a state, and every delivery for that record hands the wire the
 * state's current step. A refresh re-delivers the current step; a published score event
 * moves to the next step first, the way a landed score changes what Apex returns.
 */
const records = new Map(
  CARD_STATES.map((state) => [state.id, { state, steps: [...state.steps], step: 0, callbacks: new Set() }]),
);
/** In the interactive preview, a rescore "lands" this long after the button is pressed. */
const RESCORE_DEMO_MS = 2500;
const eventListeners = new Set();

function resultOf(record) {
  const name = record.steps[record.step];
  if (!name) {
    return undefined;
  }
  // A fresh copy on each delivery, as a new server response would be.
  const fixture = JSON.parse(JSON.stringify(FIXTURES[name]));
  if (name === 'loadError') {
    return { data: undefined, error: fixture };
  }
  return { data: fixture, error: undefined };
}

export function connectWire(recordId, dataCallback) {
  const record = records.get(recordId);
  if (!record) {
    throw new Error(`The preview has no state named "${recordId}"`);
  }
  record.callbacks.add(dataCallback);
  deliver(record, dataCallback);
  return () => record.callbacks.delete(dataCallback);
}

function deliver(record, callback) {
  const result = resultOf(record);
  if (result) {
    lastRecordOfResult.set(result, record);
    callback(result);
  }
}

const lastRecordOfResult = new WeakMap();

export function refreshResult(result) {
  const record = lastRecordOfResult.get(result);
  if (record) {
    record.callbacks.forEach((callback) => deliver(record, callback));
  }
  return Promise.resolve();
}

/** The rescore stand-in: the record goes pending, and its new score lands a moment later. */
export function queueRescore(recordId) {
  const record = records.get(recordId);
  if (record) {
    record.steps = ['pending', 'scored'];
    record.step = 0;
    setTimeout(() => publishScoreEvent(recordId), RESCORE_DEMO_MS);
  }
  return Promise.resolve('a015g00000PrEvIEW0');
}

export function addScoreEventListener(listener) {
  eventListeners.add(listener);
  return () => eventListeners.delete(listener);
}

/** As if the scoring job had published AI_Score_Event__e for the record's next step. */
export function publishScoreEvent(recordId) {
  const record = records.get(recordId);
  if (!record || record.step + 1 >= record.steps.length) {
    return;
  }
  record.step++;
  const card = resultOf(record)?.data;
  const message = {
    channel: '/event/AI_Score_Event__e',
    data: {
      payload: {
        Record_Id__c: recordId,
        Endpoint__c: card?.endpointName,
        Status__c: card?.latest?.status,
      },
    },
  };
  eventListeners.forEach((listener) => listener(message));
}
