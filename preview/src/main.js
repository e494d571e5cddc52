// Synthetic shadow first, as on the Salesforce platform: it lets the global SLDS stylesheet
// style the inside of the components.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import AiScoreCard from 'c/aiScoreCard';
import AiInsightPanel from 'c/aiInsightPanel';
import { STATES } from './states.js';
import { FIXTURE_NOW, publishScoreEvent } from './previewData.js';
import { creatingInsightPanel } from './insightPreviewData.js';

// Relative times ("scored 5 minutes ago") count from the fixtures' clock, so the preview and
// its screenshots read the same whenever they are made.
Date.now = () => FIXTURE_NOW;

const EVENT_DELAY_MS = 200;
const SETTLE_DELAY_MS = 100;

const app = document.getElementById('app');
const only = new URLSearchParams(window.location.search).get('state');
const shown = only ? STATES.filter((state) => state.id === only) : STATES;

if (shown.length === 0) {
  app.textContent = `Unknown state "${only}". Known states: ${STATES.map((state) => state.id).join(', ')}.`;
} else {
  document.body.classList.toggle('single', Boolean(only));
  for (const state of shown) {
    app.append(renderState(state, !only));
  }
}

function renderState(state, withCaption) {
  const section = document.createElement('section');
  section.className = 'preview-state';
  if (withCaption) {
    const title = document.createElement('h2');
    title.className = 'slds-text-heading_small preview-state__title';
    const link = document.createElement('a');
    link.href = `?state=${state.id}`;
    link.textContent = state.title;
    title.append(link);
    const description = document.createElement('p');
    description.className = 'slds-text-body_small preview-state__description';
    description.textContent = state.description;
    section.append(title, description);
  }
  const stage = document.createElement('div');
  stage.className = 'stage';
  stage.id = `stage-${state.id}`;
  stage.dataset.state = state.id;
  const component = createComponent(state);
  component.recordId = state.id;
  component.objectApiName = 'Lead';
  component.addEventListener('lightning__showtoast', (event) => showToast(stage, event.detail));
  stage.append(component);
  section.append(stage);

  const settle = () => setTimeout(() => (stage.dataset.settled = 'true'), SETTLE_DELAY_MS);
  if (state.generate) {
    // As the rep would: select Generate once the templates are there.
    setTimeout(() => {
      component.shadowRoot.querySelector('.generate-button').click();
      settle();
    }, EVENT_DELAY_MS);
  } else if (state.publishScoreEvent) {
    setTimeout(() => {
      publishScoreEvent(state.id);
      settle();
    }, EVENT_DELAY_MS);
  } else {
    settle();
  }
  return section;
}

function createComponent(state) {
  if (state.component === 'aiInsightPanel') {
    creatingInsightPanel(state);
    return createElement('c-ai-insight-panel', { is: AiInsightPanel });
  }
  return createElement('c-ai-score-card', { is: AiScoreCard });
}

function showToast(stage, { title, message, variant }) {
  const toast = document.createElement('div');
  toast.className = `slds-notify slds-notify_toast slds-theme_${variant === 'error' ? 'error' : 'info'}`;
  toast.setAttribute('role', 'status');
  toast.textContent = `${title}: ${message}`;
  stage.prepend(toast);
  setTimeout(() => toast.remove(), 5000);
}
