import { addScoreEventListener } from '../previewData.js';

/** Stand-in for lightning/empApi: delivers the events the preview publishes. */
export function isEmpEnabled() {
  return Promise.resolve(true);
}

export function onError() {
  return Promise.resolve();
}

export function subscribe(channel, replayId, callback) {
  const remove = addScoreEventListener(callback);
  return Promise.resolve({ channel, replayId, remove });
}

export function unsubscribe(subscription) {
  subscription?.remove?.();
  return Promise.resolve(true);
}

export function setDebugFlag() {
  return Promise.resolve();
}
