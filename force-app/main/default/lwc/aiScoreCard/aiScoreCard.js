import { LightningElement, api, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import getScoreCard from '@salesforce/apex/AiScoreCardController.getScoreCard';
import rescore from '@salesforce/apex/AiScoreCardController.rescore';
import { isEmpEnabled, onError, subscribe, unsubscribe } from 'lightning/empApi';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import LOCALE from '@salesforce/i18n/locale';
import CURRENCY from '@salesforce/i18n/currency';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import { reduceErrors } from 'c/ldsUtils';
import { adminHintFor } from './scoreHints';
import {
  ageInDays,
  formatDateTime,
  formatFactorValue,
  formatRelative,
  formatScore,
  strengthOf,
  toneOf,
} from './scoreFormat';
import { buildTrend, latestChange } from './scoreTrend';

/**
 * Published by the scoring job (AiScoreWriter) when a score of a save or a rescore lands or
 * fails: record id, endpoint and status, never the score. The card listens only while it shows
 * a pending score, since every delivery to every listening page counts against the org's daily
 * event delivery allocation.
 */
export const SCORE_EVENT_CHANNEL = '/event/AI_Score_Event__e';
/** Freshness ("5 minutes ago") and staleness are recomputed this often. */
export const CLOCK_TICK_MS = 60 * 1000;
/** Without live events (no Streaming API, the mobile app), a pending score is polled this often… */
export const POLL_INTERVAL_MS = 10 * 1000;
/** …this many times (5 minutes), after which the rep can reload. */
export const MAX_POLLS = 30;

const I18N = { locale: LOCALE, currency: CURRENCY, timeZone: TIME_ZONE };
const RING_RADIUS = 28;
const RING_LENGTH = 2 * Math.PI * RING_RADIUS;
/** The scale every score is shown on (Apex stores the model's 0..1 score times 100). */
const SCALE = '0–100';

/**
 * The AI score of the record on a Lead, Opportunity, Account or Contact page: score and band,
 * the factors behind it in plain language, the model, freshness and a trend of recent
 * scores. While a score is pending it listens for the scoring job's AI_Score_Event__e for the
 * record (and polls where live events are unavailable), and users with the Rescore AI Scores
 * permission can ask for a new score.
 */
export default class AiScoreCard extends LightningElement {
  @api recordId;
  @api objectApiName;
  /** Developer name of the AI Model Endpoint; blank uses the object's only active endpoint. */
  @api endpointName = '';
  /** Factors shown in each direction (raising and lowering the score). */
  @api factorCount = 3;

  /** The wire's parameter: scores to fetch (1 when the trend is hidden, for the latest score). */
  historyLimit = 10;
  card;
  loadError;
  view = { loading: true };
  announcement = '';

  _showHistory = true;
  _historySize = 10;
  _staleAfterDays = 7;
  wiredResult;
  now = Date.now();
  rescoreInFlight = false;
  rescoreRequested = false;
  justUpdated = false;
  liveUpdates = false;
  /** False until the subscription attempt settles: no polling while it may still succeed. */
  liveUpdatesKnown = false;
  connected = false;
  subscription;
  /**
   * Where focus goes after a keyboard Rescore: the button is disabled while the score is made,
   * which would drop focus to <body>, so it moves to the progress banner, then to the new score.
   */
  focusAfterRender;
  subscribing = false;
  clockTimer;
  pollTimer;
  polls = 0;

  /** Whether the card shows the trend of recent scores. */
  @api
  get showHistory() {
    return this._showHistory;
  }
  set showHistory(value) {
    this._showHistory = value !== false && value !== 'false';
    this.updateHistoryLimit();
  }

  /** How many recent scores the trend shows (2 to 50). */
  @api
  get historySize() {
    return this._historySize;
  }
  set historySize(value) {
    const size = Number.parseInt(value, 10);
    this._historySize = Number.isNaN(size) ? 10 : Math.min(50, Math.max(2, size));
    this.updateHistoryLimit();
  }

  /** A score older than this many days is flagged as possibly out of date. */
  @api
  get staleAfterDays() {
    return this._staleAfterDays;
  }
  set staleAfterDays(value) {
    const days = Number.parseInt(value, 10);
    this._staleAfterDays = Number.isNaN(days) || days < 1 ? 7 : days;
    this.updateView();
  }

  @wire(getScoreCard, {
    recordId: '$recordId',
    endpointName: '$endpointName',
    factorCount: '$factorCount',
    historyLimit: '$historyLimit',
  })
  wiredCard(result) {
    this.wiredResult = result;
    const { data, error } = result;
    if (data) {
      this.noticeNewScore(this.card, data);
      this.card = data;
      this.loadError = undefined;
      if (!this.rescoreInFlight) {
        this.rescoreRequested = false;
      }
    } else if (error) {
      this.card = undefined;
      this.loadError = error;
    }
    this.updateView();
  }

  connectedCallback() {
    this.connected = true;
    this.clockTimer = setInterval(() => {
      this.now = Date.now();
      this.justUpdated = false;
      this.updateView();
    }, CLOCK_TICK_MS);
    try {
      onError(() => {
        // The streaming connection failed (session expired, limits): poll instead.
        this.liveUpdates = false;
        this.schedulePoll();
      });
    } catch {
      // No Streaming API here: polling covers a pending score.
    }
    this.syncSubscription();
  }

  disconnectedCallback() {
    this.connected = false;
    clearInterval(this.clockTimer);
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.stopListening();
  }

  /** Listens while a score is pending, and only then. */
  syncSubscription() {
    if (this.connected && this.view.pending) {
      this.startListening();
    } else {
      this.stopListening();
    }
  }

  async startListening() {
    if (this.subscription || this.subscribing) {
      return;
    }
    this.subscribing = true;
    let subscription;
    try {
      if ((await isEmpEnabled()) !== false) {
        subscription = await subscribe(SCORE_EVENT_CHANNEL, -1, (message) => this.handleScoreEvent(message));
      }
    } catch {
      // No Streaming API here (the mobile app, a missing permission): polling covers it.
      subscription = undefined;
    }
    this.subscribing = false;
    this.liveUpdates = Boolean(subscription);
    this.liveUpdatesKnown = true;
    if (subscription && !(this.connected && this.view.pending)) {
      // The score landed (or the page closed) while subscribing.
      unsubscribe(subscription).catch(() => {});
      this.liveUpdates = false;
      return;
    }
    this.subscription = subscription;
    if (subscription) {
      // A score that landed before the subscription was live sent its event to no one: look once.
      this.refresh();
    }
    this.schedulePoll();
  }

  stopListening() {
    if (!this.subscription) {
      return;
    }
    const subscription = this.subscription;
    this.subscription = undefined;
    this.liveUpdates = false;
    unsubscribe(subscription).catch(() => {
      // The connection is going away with the page: nothing to clean up.
    });
  }

  handleScoreEvent(message) {
    const payload = message?.data?.payload;
    if (!payload || !sameRecord(payload.Record_Id__c, this.recordId)) {
      return;
    }
    const shownEndpoint = this.card?.endpointName;
    if (shownEndpoint && payload.Endpoint__c && payload.Endpoint__c !== shownEndpoint) {
      return;
    }
    this.refresh();
  }

  renderedCallback() {
    if (!this.focusAfterRender) {
      return;
    }
    if (this.focusAfterRender === 'status' && this.view.pending) {
      const banner = this.template.querySelector('.status-banner');
      if (banner) {
        banner.focus();
        this.focusAfterRender = 'score';
      }
    } else if (this.focusAfterRender === 'score' && !this.view.pending) {
      this.focusAfterRender = undefined;
      // The banner just left the page, taking focus with it: focus is on <body>. If it is
      // anywhere else, the rep moved on while the score was made; leave it there.
      const active = document.activeElement;
      if (!active || active === document.body) {
        this.template.querySelector('.score-summary')?.focus();
      }
    }
  }

  async handleRescore() {
    this.focusAfterRender = 'status';
    this.rescoreInFlight = true;
    this.rescoreRequested = true;
    this.updateView();
    try {
      await rescore({ recordId: this.recordId, endpointName: this.endpointName });
      this.announce('Rescoring started. The new score appears here when it is ready.');
      this.rescoreInFlight = false;
      await this.refresh();
      // The card now shows the server's state (normally the Pending row of this rescore).
      this.rescoreRequested = false;
    } catch (error) {
      this.rescoreRequested = false;
      this.focusAfterRender = 'button';
      this.dispatchEvent(
        new ShowToastEvent({
          title: 'The record could not be rescored',
          message: reduceErrors(error).join(' ') || 'Unknown error.',
          variant: 'error',
        }),
      );
    } finally {
      this.rescoreInFlight = false;
      this.updateView();
      if (this.focusAfterRender === 'button') {
        // The rescore did not start: the button is enabled again; give focus back to it.
        this.focusAfterRender = undefined;
        Promise.resolve().then(() => this.template.querySelector('.rescore-button')?.focus());
      }
    }
  }

  refresh() {
    return this.wiredResult ? refreshApex(this.wiredResult) : Promise.resolve();
  }

  announce(text) {
    this.announcement = text;
  }

  updateHistoryLimit() {
    this.historyLimit = this._showHistory ? this._historySize : 1;
  }

  /** A different newest score than before, while the card is open: say so. */
  noticeNewScore(previous, next) {
    const before = previous?.latest;
    const after = next.latest;
    if (!previous || next.state !== 'SCORED' || !after) {
      return;
    }
    if (before && before.id === after.id && before.status === after.status) {
      return;
    }
    this.justUpdated = true;
    this.announce(`New AI score: ${formatScore(after.score)}${after.band ? `, ${after.band}` : ''}.`);
  }

  schedulePoll() {
    const pending = this.view.pending;
    if (!pending) {
      this.polls = 0;
    }
    if (!pending || !this.liveUpdatesKnown || this.liveUpdates || this.pollTimer || this.polls >= MAX_POLLS) {
      return;
    }
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.polls++;
      this.refresh();
    }, POLL_INTERVAL_MS);
  }

  updateView() {
    this.view = buildView(this);
    this.syncSubscription();
    this.schedulePoll();
  }
}

function sameRecord(a, b) {
  // Events carry 18-character ids; a page may hand the component either form.
  return Boolean(a && b) && String(a).slice(0, 15) === String(b).slice(0, 15);
}

/** Everything the template shows, derived once per change instead of once per expression. */
function buildView(component) {
  const { card, loadError } = component;
  if (loadError) {
    const messages = reduceErrors(loadError);
    if (messages.some((message) => /access to the apex class/i.test(message))) {
      return { noAccess: true };
    }
    return { loadFailed: true, loadErrors: loadError };
  }
  if (!card) {
    return { loading: true };
  }
  switch (card.state) {
    case 'NO_ACCESS':
      return { noAccess: true };
    case 'NOT_CONFIGURED':
      return { notConfigured: true, problem: card.problem };
    default:
      return scoreView(component, card);
  }
}

function scoreView(component, card) {
  const { now } = component;
  const pending = card.state === 'PENDING' || component.rescoreRequested;
  const failed = !pending && card.state === 'ERROR';
  const shown = card.lastScored;
  const objectName = (card.objectLabel ?? 'record').toLowerCase();
  const stale = !pending && !failed && shown?.scoredAt && ageInDays(shown.scoredAt, now) >= component.staleAfterDays;
  const view = {
    pending,
    failed,
    stale: Boolean(stale),
    noScore: !pending && !failed && !shown,
    hasScore: Boolean(shown),
    showRescore: Boolean(card.canRescore),
    rescoreLabel: pending ? 'Scoring…' : shown ? 'Rescore' : 'Score now',
    rescoreDisabled: pending || component.rescoreInFlight,
    noScoreMessage: noScoreMessage(card, objectName),
  };
  if (pending) {
    view.pendingTitle = shown ? 'Rescoring in progress' : 'Scoring in progress';
    view.pendingMessage = 'The new score appears here as soon as it is ready. No need to reload the page.';
    view.retryNote =
      card.latest?.status === 'Pending' && card.latest.errorCode
        ? 'The last attempt failed; scoring retries automatically.'
        : '';
  }
  if (failed) {
    const latest = card.latest ?? {};
    view.failureTitle = `This ${objectName} could not be scored.`;
    view.failureHint = adminHintFor(latest.errorCode);
    view.failureDetails = [
      [latest.errorCode, latest.errorMessage].filter(Boolean).join(': '),
      latest.createdAt ? `Attempted ${formatDateTime(latest.createdAt, LOCALE, TIME_ZONE)}` : '',
    ].filter(Boolean);
  }
  if (view.stale) {
    const days = ageInDays(shown.scoredAt, now);
    view.staleTitle = `This score is ${days} days old and may not reflect recent changes.`;
    view.staleHint = card.nightlyRescoring
      ? 'Nightly rescoring should have refreshed it: ask your admin to check that it is scheduled.'
      : 'Ask your admin about turning on nightly rescoring for this model.';
  }
  if (shown) {
    Object.assign(view, scoreDetails(component, card, shown, { pending, failed, stale: view.stale }));
  }
  return view;
}

function noScoreMessage(card, objectName) {
  const when = [
    card.scoreOnSave ? `the ${objectName} is next saved` : '',
    card.nightlyRescoring ? "tonight's rescoring" : '',
  ].filter(Boolean);
  const first = when.length
    ? `A score appears here after ${when.join(', or after ')}.`
    : `Scores for this ${objectName} come from a flow or from your admin.`;
  return card.canRescore ? `${first} Select Score now to score it right away.` : first;
}

function scoreDetails(component, card, shown, { pending, failed, stale }) {
  const tone = stale ? 'stale' : toneOf(shown.band, shown.score);
  const badgeTone = pending ? 'pending' : tone;
  const score = formatScore(shown.score);
  const strongest = Math.max(0, ...[...card.positiveFactors, ...card.negativeFactors].map((f) => Math.abs(f.impact)));
  const change = latestChange(card.history);
  const trend = component.showHistory ? buildTrend(card.history, I18N) : null;
  return {
    scoreLabel: pending ? 'Previous score' : failed ? 'Last successful score' : '',
    scoreValue: score,
    scoreAssistive: `Score ${score} out of 100${shown.band ? `, ${shown.band}` : ''}.`,
    band: shown.band,
    badgeClass: `slds-badge band-badge band-badge_${badgeTone}`,
    meaning: `${card.scoreLabel || 'AI score'} · ${SCALE}`,
    summaryClass: pending ? 'score-summary score-summary_dimmed' : 'score-summary',
    ringClass: `score-ring score-ring_${tone}`,
    ringDash: `${((Number(shown.score) / 100) * RING_LENGTH).toFixed(1)} ${RING_LENGTH.toFixed(1)}`,
    justUpdated: component.justUpdated && !pending,
    freshness: shown.scoredAt ? `Scored ${formatRelative(shown.scoredAt, component.now, LOCALE)}` : '',
    scoredAt: shown.scoredAt ? formatDateTime(shown.scoredAt, LOCALE, TIME_ZONE) : '',
    scoredAtIso: shown.scoredAt ?? '',
    freshnessClass: stale ? 'freshness freshness_stale' : 'freshness',
    change: change && change.direction !== 'same' && !pending ? changeView(change) : null,
    model: [shown.modelName, shown.modelVersion ? `v${shown.modelVersion}` : ''].filter(Boolean).join(' · '),
    factorGroups: [
      factorGroup('up', 'Raising it', card.positiveFactors, strongest),
      factorGroup('down', 'Lowering it', card.negativeFactors, strongest),
    ].filter((group) => group.factors.length > 0),
    hasFactors: card.positiveFactors.length + card.negativeFactors.length > 0,
    improvement: improvementView(card.bestImprovement, shown.score),
    trend,
  };
}

/**
 * The best "how to improve" suggestion in a rep's words: "Biggest lift: Lead Source → Partner
 * Referral (72)", two changes joined by "and". A model whose card marks no actionable features
 * sends none, and the card shows nothing.
 */
function improvementView(improvement, score) {
  if (!improvement?.changes?.length) return null;
  const lift = Number(improvement.scoreAfter) >= Number(score);
  const title = lift ? 'Biggest lift' : 'Biggest drop';
  const after = formatScore(improvement.scoreAfter);
  const changes = improvement.changes.map((change) => ({
    label: change.label,
    value: formatFactorValue(change, I18N),
  }));
  return {
    title: `${title}:`,
    text: `${changes.map((c) => `${c.label} → ${c.value}`).join(' and ')} (${after})`,
    // The arrow reads poorly aloud: screen readers get the same suggestion in words.
    assistive: `${title}: ${changes.map((c) => `${c.label} set to ${c.value}`).join(' and ')} would give a score of ${after}.`,
  };
}

function changeView({ direction, points }) {
  return {
    up: direction === 'up',
    icon: direction === 'up' ? 'utility:arrowup' : 'utility:arrowdown',
    text: `${direction === 'up' ? 'Up' : 'Down'} ${points} ${points === 1 ? 'point' : 'points'} since the previous score`,
    className: `score-change score-change_${direction}`,
  };
}

/** One direction of factors, with what the template needs to draw it. */
function factorGroup(direction, title, factors, strongest) {
  return {
    key: direction,
    title,
    listClass: `factor-list factor-list_${direction}`,
    iconName: `utility:arrow${direction}`,
    iconClass: `factor__icon factor__icon_${direction}`,
    factors: factors.map((factor, index) => factorView(factor, index, strongest)),
  };
}

function factorView(factor, index, strongest) {
  const strength = strengthOf(factor.impact, strongest);
  return {
    key: `${factor.feature}-${index}`,
    label: factor.label,
    value: formatFactorValue(factor, I18N),
    strength: `${strength.word} effect`,
    barStyle: `width: ${strength.percent}%`,
  };
}
