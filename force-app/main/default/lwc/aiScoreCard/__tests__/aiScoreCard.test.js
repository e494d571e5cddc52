import { createElement } from 'lwc';
import AiScoreCard, { CLOCK_TICK_MS, MAX_POLLS, POLL_INTERVAL_MS, SCORE_EVENT_CHANNEL } from 'c/aiScoreCard';
import getScoreCard from '@salesforce/apex/AiScoreCardController.getScoreCard';
import rescore from '@salesforce/apex/AiScoreCardController.rescore';
import { refreshApex } from '@salesforce/apex';
import { isEmpEnabled, onError, subscribe, unsubscribe } from 'lightning/empApi';

// The same fixtures feed the local preview (preview/) and its screenshots, so they cannot drift.
const clock = require('./data/clock.json');
const SCORED = require('./data/scored.json');
const PENDING = require('./data/pending.json');
const ERROR = require('./data/error.json');
const STALE = require('./data/stale.json');
const NO_SCORE = require('./data/noScore.json');
const NO_ACCESS = require('./data/noAccess.json');
const NOT_CONFIGURED = require('./data/notConfigured.json');
const LOAD_ERROR = require('./data/loadError.json');

jest.mock(
  '@salesforce/apex/AiScoreCardController.getScoreCard',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex/AiScoreCardController.rescore', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });

const NOW = Date.parse(clock.now);
const RECORD_ID = SCORED.recordId;

let scoreEventCallback;

function render(props = {}) {
  const element = createElement('c-ai-score-card', { is: AiScoreCard });
  Object.assign(element, { recordId: RECORD_ID, objectApiName: 'Lead' }, props);
  document.body.appendChild(element);
  return element;
}

/** Lets promise callbacks and re-renders run; works with real and fake timers. */
async function flush() {
  for (let i = 0; i < 6; i++) {
    await Promise.resolve();
  }
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();
const clone = (value) => JSON.parse(JSON.stringify(value));

function scoreEvent(overrides = {}) {
  return {
    channel: SCORE_EVENT_CHANNEL,
    data: {
      payload: {
        Record_Id__c: RECORD_ID,
        Endpoint__c: 'Lead_Scoring',
        Status__c: 'Scored',
        ...overrides,
      },
    },
  };
}

describe('c-ai-score-card', () => {
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    scoreEventCallback = undefined;
    subscribe.mockImplementation((channel, replayId, callback) => {
      scoreEventCallback = callback;
      return Promise.resolve({ id: 'subscription', channel });
    });
    unsubscribe.mockResolvedValue(true);
    isEmpEnabled.mockResolvedValue(true);
    onError.mockResolvedValue(undefined);
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  describe('loading', () => {
    it('shows a spinner until the score arrives', async () => {
      const element = render();
      await flush();

      expect($(element, 'lightning-spinner').alternativeText).toBe('Loading the AI score');
      await expect(element).toBeAccessible();
    });

    it('asks Apex for the record with the App Builder properties', async () => {
      render({ endpointName: 'Lead_Scoring_Challenger', factorCount: 5, historySize: 20 });
      await flush();

      expect(getScoreCard.getLastConfig()).toEqual({
        recordId: RECORD_ID,
        endpointName: 'Lead_Scoring_Challenger',
        factorCount: 5,
        historyLimit: 20,
      });
    });

    it('asks for only the latest score when the trend is hidden', async () => {
      render({ showHistory: false });
      await flush();

      expect(getScoreCard.getLastConfig().historyLimit).toBe(1);
    });
  });

  describe('a scored record', () => {
    it('shows the score, its band, freshness, the change and the model', async () => {
      const element = render();
      getScoreCard.emit(SCORED);
      await flush();

      expect(text($(element, '.score-ring__number'))).toBe('82');
      expect($(element, '.score-ring').className).toContain('score-ring_high');
      const badge = $(element, '.score-badges .slds-badge');
      expect(text(badge)).toBe('Hot');
      expect(badge.className).toContain('band-badge_high');
      expect(text($(element, '.score-meaning'))).toBe('Likelihood to convert · 0–100');
      expect(text($(element, '.score-assistive'))).toBe('Score 82 out of 100, Hot.');
      expect(text($(element, '.freshness'))).toBe('Scored 5 minutes ago');
      // The exact time is on the card itself, for keyboard and touch users too, not in a hover title.
      const scoredAt = $(element, '.scored-at time');
      expect(text(scoredAt)).toBe('Mar 10, 2026, 9:25 AM');
      expect(scoredAt.getAttribute('datetime')).toBe(SCORED.lastScored.scoredAt);
      expect($(element, '[title="Mar 10, 2026, 9:25 AM"]')).toBeNull();
      expect(text($(element, '.score-change'))).toBe('Up 6 points since the previous score');
      expect(text($(element, '.model'))).toBe('Model: lead-scoring · v1.0.0');
      expect($(element, '.status-banner')).toBeNull();
      expect($(element, 'c-error-panel')).toBeNull();
      await expect(element).toBeAccessible();
    });

    it('explains the factors in plain language, strongest first, with their strength', async () => {
      const element = render();
      getScoreCard.emit(SCORED);
      await flush();

      const raising = $$(element, '.factor-list_up .factor__text').map(text);
      const lowering = $$(element, '.factor-list_down .factor__text').map(text);
      expect(raising).toEqual([
        'Lead Source: Partner Referral, strong effect',
        'Title Seniority: VP, strong effect',
        'Email Opens (30 days): 6, moderate effect',
      ]);
      expect(lowering).toEqual(['Phone: Missing, moderate effect', 'Annual Revenue: $120,000, moderate effect']);
      const bars = $$(element, '.factor__bar-fill').map((bar) => bar.style.width);
      expect(bars).toEqual(['100%', '96%', '53%', '59%', '40%']);
    });

    it("suggests the biggest lift in a rep's words, the same in words for screen readers", async () => {
      const element = render();
      getScoreCard.emit(SCORED);
      await flush();

      const line = $(element, '.improvement');
      expect(text(line.querySelector('[aria-hidden="true"]'))).toBe('Biggest lift: Phone → Provided (88)');
      expect(text(line.querySelector('.slds-assistive-text'))).toBe(
        'Biggest lift: Phone set to Provided would give a score of 88.',
      );
      await expect(element).toBeAccessible();
    });

    it('joins a pair of changes, formats their values like factors, and says "drop" for a score it lowers', async () => {
      const element = render();
      getScoreCard.emit({
        ...SCORED,
        bestImprovement: {
          changes: [
            { feature: 'LeadSource', label: 'Lead Source', valueType: 'text', textValue: 'Partner Referral' },
            { feature: 'AnnualRevenue', label: 'Annual Revenue', valueType: 'currency', numberValue: 2500000 },
          ],
          scoreAfter: 72.4,
        },
      });
      await flush();
      expect(text($(element, '.improvement [aria-hidden="true"]'))).toBe(
        'Biggest drop: Lead Source → Partner Referral and Annual Revenue → $2,500,000 (72)',
      );
    });

    it('shows nothing extra for a model without actionable features', async () => {
      const element = render();
      const withoutSuggestion = clone(SCORED);
      delete withoutSuggestion.bestImprovement;
      getScoreCard.emit(withoutSuggestion);
      await flush();
      expect($(element, '.score-ring')).not.toBeNull();
      expect($(element, '.improvement')).toBeNull();
    });

    it('draws an accessible trend of the recent scores', async () => {
      const element = render();
      getScoreCard.emit(SCORED);
      await flush();

      const chart = $(element, 'svg.trend__chart');
      expect(chart.getAttribute('role')).toBe('img');
      expect(chart.getAttribute('aria-label')).toBe(
        'Score trend over the last 8 scores, from Mar 2 to Mar 10: 54 to 82, up 28 points.',
      );
      expect($$(element, '.trend__table tbody tr')).toHaveLength(8);
      expect($$(element, '.trend__axis span').map(text)).toEqual(['Mar 2 · 54', 'Mar 10 · 82']);
      // On a fixed 0..100 scale: 54 sits at 29.9 of 64 units, 82.34 at 15.2.
      expect($(element, '.trend__line').getAttribute('d')).toMatch(/^M6 29\.9 L.* L314 15\.2$/);
    });

    it('leaves the trend out when it is turned off', async () => {
      const element = render({ showHistory: false });
      getScoreCard.emit(SCORED);
      await flush();

      expect($(element, '.trend')).toBeNull();
      expect(text($(element, '.score-ring__number'))).toBe('82');
    });

    it('hides Rescore from users without the Rescore AI Scores permission', async () => {
      const element = render();
      getScoreCard.emit({ ...SCORED, canRescore: false });
      await flush();

      expect($(element, '.rescore-button')).toBeNull();
    });

    it('updates "scored … ago" every minute', async () => {
      jest.restoreAllMocks();
      jest.useFakeTimers({ now: NOW });
      const element = render();
      getScoreCard.emit(SCORED);
      await flush();
      expect($(element, '.freshness').firstChild.textContent).toBe('Scored 5 minutes ago');

      jest.advanceTimersByTime(CLOCK_TICK_MS);
      await flush();

      expect($(element, '.freshness').firstChild.textContent).toBe('Scored 6 minutes ago');
    });
  });

  describe('a stale score', () => {
    it('flags a score older than the threshold and says what the admin should check', async () => {
      const element = render();
      getScoreCard.emit(STALE);
      await flush();

      const warning = $(element, 'c-error-panel.stale-warning');
      expect(warning.friendlyMessage).toBe('This score is 20 days old and may not reflect recent changes.');
      expect(warning.hint).toContain('check that it is scheduled');
      expect(warning.variant).toBe('warning');
      expect($(element, '.freshness').firstChild.textContent).toBe('Scored 20 days ago');
      expect($(element, '.freshness').className).toContain('freshness_stale');
      expect($(element, '.score-ring').className).toContain('score-ring_stale');
      await expect(element).toBeAccessible();
    });

    it('suggests nightly rescoring when the endpoint does not rescore', async () => {
      const element = render();
      getScoreCard.emit({ ...STALE, nightlyRescoring: false });
      await flush();

      expect($(element, 'c-error-panel.stale-warning').hint).toContain('turning on nightly rescoring');
    });

    it('does not flag the same score under a longer threshold', async () => {
      const element = render({ staleAfterDays: 30 });
      getScoreCard.emit(STALE);
      await flush();

      expect($(element, '.stale-warning')).toBeNull();
      expect($(element, '.score-ring').className).toContain('score-ring_medium');
    });
  });

  describe('no score yet', () => {
    it('says when a score will appear and offers Score now', async () => {
      const element = render();
      getScoreCard.emit(NO_SCORE);
      await flush();

      expect(text($(element, '.no-score .slds-text-heading_small'))).toBe('No AI score yet');
      expect(text($(element, '.no-score-message'))).toBe(
        "A score appears here after the lead is next saved, or after tonight's rescoring. " +
          'Select Score now to score it right away.',
      );
      expect($(element, '.rescore-button').label).toBe('Score now');
      expect($(element, '.score-summary')).toBeNull();
      await expect(element).toBeAccessible();
    });

    it('names other sources of scores when the endpoint neither scores on save nor nightly', async () => {
      const element = render();
      getScoreCard.emit({ ...NO_SCORE, scoreOnSave: false, nightlyRescoring: false, canRescore: false });
      await flush();

      expect(text($(element, '.no-score-message'))).toBe('Scores for this lead come from a flow or from your admin.');
    });
  });

  describe('scoring in progress', () => {
    it('shows progress and keeps the previous score, dimmed', async () => {
      const element = render();
      getScoreCard.emit(PENDING);
      await flush();

      expect(text($(element, '.pending-title'))).toBe('Rescoring in progress');
      expect($(element, '.status-banner .slds-spinner')).not.toBeNull();
      expect(text($(element, '.score-label'))).toBe('Previous score');
      expect(text($(element, '.score-ring__number'))).toBe('76');
      expect($(element, '.score-summary').className).toContain('score-summary_dimmed');
      expect($(element, '.rescore-button').disabled).toBe(true);
      expect($(element, '.rescore-button').label).toBe('Scoring…');
      expect($(element, '.retry-note')).toBeNull();
      await expect(element).toBeAccessible();
    });

    it('says scoring in progress for a first score, and when an attempt is being retried', async () => {
      const firstScore = clone(PENDING);
      delete firstScore.lastScored;
      firstScore.positiveFactors = [];
      firstScore.negativeFactors = [];
      firstScore.history = [];
      firstScore.latest.errorCode = 'TIMEOUT';
      const element = render();
      getScoreCard.emit(firstScore);
      await flush();

      expect(text($(element, '.pending-title'))).toBe('Scoring in progress');
      expect(text($(element, '.retry-note'))).toBe('The last attempt failed; scoring retries automatically.');
      expect($(element, '.score-summary')).toBeNull();
    });
  });

  describe('a failed score', () => {
    it('says what went wrong, what the admin should check, and keeps the last good score', async () => {
      const element = render();
      getScoreCard.emit(ERROR);
      await flush();

      const panel = $(element, 'c-error-panel.score-error');
      expect(panel.friendlyMessage).toBe('This lead could not be scored.');
      expect(panel.hint).toBe(
        'Ask your admin to check the service key and signing secret of the BYOM Inference external credential.',
      );
      expect(panel.errors).toEqual([
        'UNAUTHORIZED: The service rejected the request (HTTP 401 UNAUTHORIZED): missing or invalid service key.',
        'Attempted Mar 10, 2026, 9:12 AM',
      ]);
      expect(text($(element, '.score-label'))).toBe('Last successful score');
      expect(text($(element, '.score-ring__number'))).toBe('71');
      await expect(element).toBeAccessible();
    });

    it('gives a generic hint for an error code it does not know', async () => {
      const unknown = clone(ERROR);
      unknown.latest.errorCode = 'SOMETHING_NEW';
      const element = render();
      getScoreCard.emit(unknown);
      await flush();

      expect($(element, 'c-error-panel.score-error').hint).toContain('admin guide');
    });
  });

  describe('access and configuration', () => {
    it('shows a rep without access a clear message instead of an error', async () => {
      const element = render();
      getScoreCard.emit(NO_ACCESS);
      await flush();

      expect($$(element, '.no-access p').map(text)).toEqual([
        "You don't have access to AI scores",
        'Ask your Salesforce admin to assign you the AI Scoring Viewer permission set.',
      ]);
      expect($(element, 'c-error-panel')).toBeNull();
      expect($(element, '.rescore-button')).toBeNull();
      await expect(element).toBeAccessible();
    });

    it('treats a user who may not run the Apex class as having no access', async () => {
      const element = render();
      getScoreCard.error({ message: "You do not have access to the Apex class named 'AiScoreCardController'." });
      await flush();

      expect($(element, '.no-access')).not.toBeNull();
      expect($(element, 'c-error-panel')).toBeNull();
    });

    it('explains a setup problem for the admin', async () => {
      const element = render();
      getScoreCard.emit(NOT_CONFIGURED);
      await flush();

      const panel = $(element, 'c-error-panel.not-configured');
      expect(panel.friendlyMessage).toBe("AI scoring isn't set up for this page yet.");
      expect(panel.hint).toBe(NOT_CONFIGURED.problem);
      expect(panel.hideDetails).toBeTruthy();
      await expect(element).toBeAccessible();
    });

    it('shows a readable error with details when the score cannot be loaded', async () => {
      const element = render();
      getScoreCard.error(LOAD_ERROR.body, LOAD_ERROR.status, LOAD_ERROR.statusText);
      await flush();

      const panel = $(element, 'c-error-panel.load-error');
      expect(panel.friendlyMessage).toBe("The AI score couldn't be loaded.");
      panel.shadowRoot.querySelector('.details-toggle').click();
      await flush();
      expect(text(panel.shadowRoot.querySelector('.details'))).toBe(LOAD_ERROR.body.message);
      await expect(element).toBeAccessible();
    });
  });

  describe('what the score means', () => {
    it('says "AI score · 0–100" when the endpoint has no score label', async () => {
      const element = render();
      getScoreCard.emit({ ...SCORED, scoreLabel: null });
      await flush();
      expect(text($(element, '.score-meaning'))).toBe('AI score · 0–100');
    });
  });

  describe('rescoring', () => {
    it('shows progress at once, then the pending row, then the new score when it lands', async () => {
      rescore.mockResolvedValue('a015g00000ScOr8AAA');
      const element = render();
      getScoreCard.emit({ ...SCORED, latest: PENDING.lastScored, lastScored: PENDING.lastScored });
      await flush();
      const button = $(element, '.rescore-button');
      expect(button.label).toBe('Rescore');

      button.click();
      await Promise.resolve();
      expect(text($(element, '.pending-title'))).toBe('Rescoring in progress');
      expect($(element, '.rescore-button').disabled).toBe(true);
      // The disabled button cannot keep focus: it moves to the progress banner, not to <body>.
      expect(element.shadowRoot.activeElement).toBe($(element, '.status-banner'));
      expect($(element, '.score-badges .slds-badge').className).toContain('band-badge_pending');

      await flush();
      expect(rescore).toHaveBeenCalledWith({ recordId: RECORD_ID, endpointName: '' });
      // One refresh once listening (a score may land before the subscription is live), one after the rescore.
      expect(subscribe).toHaveBeenCalledTimes(1);
      expect(refreshApex).toHaveBeenCalledTimes(2);
      expect(text($(element, '.announcement'))).toBe('Rescoring started. The new score appears here when it is ready.');

      // This refresh mock delivers no data: the card sees the Pending row only now, and listens again.
      getScoreCard.emit(PENDING);
      await flush();
      expect(text($(element, '.pending-title'))).toBe('Rescoring in progress');
      expect(refreshApex).toHaveBeenCalledTimes(3);

      scoreEventCallback(scoreEvent());
      await flush();
      expect(refreshApex).toHaveBeenCalledTimes(4);

      getScoreCard.emit(SCORED);
      await flush();
      expect(unsubscribe).toHaveBeenCalledWith({ id: 'subscription', channel: SCORE_EVENT_CHANNEL });
      expect($(element, '.status-banner')).toBeNull();
      expect(element.shadowRoot.activeElement).toBe($(element, '.score-summary'), 'focus follows to the new score');
      expect(text($(element, '.score-ring__number'))).toBe('82');
      expect(text($(element, '.just-updated'))).toBe('Updated');
      expect(text($(element, '.announcement'))).toBe('New AI score: 82, Hot.');
      expect($(element, '.rescore-button').disabled).toBe(false);
      await expect(element).toBeAccessible();
    });

    it('tells the user in a toast when the rescore is refused', async () => {
      rescore.mockRejectedValue({
        body: { message: 'You need the Rescore AI Scores permission to rescore records.' },
      });
      const element = render();
      const toasts = [];
      element.addEventListener('lightning__showtoast', (event) => toasts.push(event.detail));
      getScoreCard.emit(SCORED);
      await flush();

      $(element, '.rescore-button').click();
      await flush();

      expect(toasts).toEqual([
        expect.objectContaining({
          title: 'The record could not be rescored',
          message: 'You need the Rescore AI Scores permission to rescore records.',
          variant: 'error',
        }),
      ]);
      expect($(element, '.status-banner')).toBeNull();
      expect($(element, '.rescore-button').disabled).toBe(false);
      expect(refreshApex).not.toHaveBeenCalled();
    });
  });

  describe('live refresh', () => {
    it('listens to the score event channel only while a score is pending', async () => {
      const element = render();
      getScoreCard.emit(SCORED);
      await flush();
      expect(subscribe).not.toHaveBeenCalled();

      getScoreCard.emit(PENDING);
      await flush();
      expect(subscribe).toHaveBeenCalledWith(SCORE_EVENT_CHANNEL, -1, expect.any(Function));

      getScoreCard.emit(SCORED);
      await flush();
      expect(unsubscribe).toHaveBeenCalledWith({ id: 'subscription', channel: SCORE_EVENT_CHANNEL });

      getScoreCard.emit(PENDING);
      await flush();
      document.body.removeChild(element);
      expect(subscribe).toHaveBeenCalledTimes(2);
      expect(unsubscribe).toHaveBeenCalledTimes(2);
    });

    it('never listens on a card whose score is settled, however long it stays open', async () => {
      jest.useFakeTimers({ now: NOW });
      render();
      getScoreCard.emit(STALE);
      await flush();

      jest.advanceTimersByTime(CLOCK_TICK_MS * 60);
      await flush();

      expect(subscribe).not.toHaveBeenCalled();
      expect(isEmpEnabled).not.toHaveBeenCalled();
    });

    it('refreshes for events about this record and endpoint only', async () => {
      render();
      getScoreCard.emit(PENDING);
      await flush();
      // The one look right after the subscription went live.
      expect(refreshApex).toHaveBeenCalledTimes(1);

      scoreEventCallback(scoreEvent({ Record_Id__c: '00Q5g00000ZzZzZEAV' }));
      scoreEventCallback(scoreEvent({ Endpoint__c: 'Lead_Scoring_Challenger' }));
      scoreEventCallback({ data: {} });
      await flush();
      expect(refreshApex).toHaveBeenCalledTimes(1);

      scoreEventCallback(scoreEvent({ Record_Id__c: RECORD_ID.slice(0, 15) }));
      await flush();
      expect(refreshApex).toHaveBeenCalledTimes(2);
    });

    it('announces a pending score when it lands while the card is open', async () => {
      const element = render();
      getScoreCard.emit(PENDING);
      await flush();
      expect($(element, '.just-updated')).toBeNull();

      scoreEventCallback(scoreEvent());
      getScoreCard.emit(SCORED);
      await flush();

      expect(text($(element, '.just-updated'))).toBe('Updated');
      expect(text($(element, '.announcement'))).toBe('New AI score: 82, Hot.');
    });

    it('stops listening when a score lands while it is still subscribing', async () => {
      let finishSubscribing;
      subscribe.mockImplementation(
        (channel) =>
          new Promise((resolve) => {
            finishSubscribing = () => resolve({ id: 'late', channel });
          }),
      );
      render();
      getScoreCard.emit(PENDING);
      await flush();
      getScoreCard.emit(SCORED);
      await flush();

      finishSubscribing();
      await flush();

      expect(unsubscribe).toHaveBeenCalledWith({ id: 'late', channel: SCORE_EVENT_CHANNEL });
      expect(refreshApex).not.toHaveBeenCalled();
    });

    it('polls a pending score when live events are unavailable, and stops once it lands', async () => {
      jest.restoreAllMocks();
      jest.useFakeTimers({ now: NOW });
      isEmpEnabled.mockResolvedValue(false);
      render();
      await flush();
      getScoreCard.emit(PENDING);
      await flush();

      expect(subscribe).not.toHaveBeenCalled();
      jest.advanceTimersByTime(POLL_INTERVAL_MS);
      expect(refreshApex).toHaveBeenCalledTimes(1);

      getScoreCard.emit(SCORED);
      await flush();
      jest.advanceTimersByTime(POLL_INTERVAL_MS * 3);
      expect(refreshApex).toHaveBeenCalledTimes(1);
    });

    it('falls back to polling when the streaming connection fails, for at most five minutes', async () => {
      jest.restoreAllMocks();
      jest.useFakeTimers({ now: NOW });
      let connectionFailed;
      onError.mockImplementation((callback) => {
        connectionFailed = callback;
        return Promise.resolve();
      });
      render();
      await flush();
      getScoreCard.emit(PENDING);
      await flush();
      jest.advanceTimersByTime(POLL_INTERVAL_MS);
      // Only the one look right after subscribing: live events need no polling.
      expect(refreshApex).toHaveBeenCalledTimes(1);

      connectionFailed({ error: '403::Unknown client' });
      for (let i = 0; i < MAX_POLLS + 5; i++) {
        jest.advanceTimersByTime(POLL_INTERVAL_MS);
        // Each refresh re-delivers the still pending row, which schedules the next poll.
        getScoreCard.emit(clone(PENDING));
        await flush();
      }

      expect(refreshApex).toHaveBeenCalledTimes(MAX_POLLS + 1);
    });
  });
});
