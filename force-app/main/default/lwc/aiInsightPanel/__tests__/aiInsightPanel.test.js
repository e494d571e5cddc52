import { createElement } from 'lwc';
import AiInsightPanel, { COPIED_FOR_MS } from 'c/aiInsightPanel';
import listTemplates from '@salesforce/apex/AiInsightController.listTemplates';
import generate from '@salesforce/apex/AiInsightController.generate';
import saveFeedback from '@salesforce/apex/AiInsightController.saveFeedback';
import { adviceFor } from '../insightErrors';
import { formatCost, formatMasked, runDetails } from '../insightFormat';

// Results shaped like AiInsightResult, as AiInsightController.generate returns them.
const TEMPLATES = require('./data/templates.json');
const SUCCESS = require('./data/success.json');
const CUT_SHORT = require('./data/cutShort.json');
const NO_ACCESS = require('./data/noAccess.json');
const ROUTE_NOT_FOUND = require('./data/routeNotFound.json');
const PROVIDERS_FAILED = require('./data/providersFailed.json');
const DEADLINE_EXCEEDED = require('./data/deadlineExceeded.json');
const BUDGET_EXCEEDED = require('./data/budgetExceeded.json');
const RATE_LIMITED = require('./data/rateLimited.json');

jest.mock(
  '@salesforce/apex/AiInsightController.listTemplates',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex/AiInsightController.generate', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/AiInsightController.saveFeedback', () => ({ default: jest.fn() }), { virtual: true });

const RECORD_ID = SUCCESS.recordId;
const APEX_ERROR = {
  status: 500,
  body: { message: 'You do not have access to the Apex class named AiInsightController.' },
};

function render(props = {}) {
  const element = createElement('c-ai-insight-panel', { is: AiInsightPanel });
  Object.assign(element, { recordId: RECORD_ID, objectApiName: 'Lead' }, props);
  document.body.appendChild(element);
  return element;
}

/** Lets promise callbacks and re-renders run. */
async function flush() {
  for (let i = 0; i < 6; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

/** A panel with the templates loaded and, when given, the answer of one Generate click. */
async function renderReady(props = {}, templates = TEMPLATES) {
  const element = render(props);
  listTemplates.emit(templates);
  await flush();
  return element;
}

async function renderGenerated(answer, props = {}) {
  generate.mockResolvedValue(answer);
  const element = await renderReady(props);
  $(element, '.generate-button').click();
  await flush();
  return element;
}

function typeComment(element, value) {
  const input = $(element, '.comment-input');
  input.value = value;
  input.dispatchEvent(new CustomEvent('change', { detail: { value } }));
}

describe('c-ai-insight-panel', () => {
  beforeEach(() => {
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: jest.fn(() => Promise.resolve()) },
      configurable: true,
    });
    saveFeedback.mockResolvedValue(undefined);
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.useRealTimers();
  });

  describe('loading the templates', () => {
    it('shows a spinner until the templates arrive and asks for the page object', async () => {
      const element = render();
      await flush();

      expect($(element, 'lightning-spinner').alternativeText).toBe('Loading the insights for this record');
      expect(listTemplates.getLastConfig()).toEqual({ objectApiName: 'Lead' });
      await expect(element).toBeAccessible();
    });

    it('says what to do when the templates cannot be loaded', async () => {
      const element = render();
      listTemplates.error({ message: 'You do not have access to the Apex class named AiInsightController.' });
      await flush();

      const panel = $(element, 'c-error-panel.load-error');
      expect(panel.friendlyMessage).toBe("The insights couldn't be loaded.");
      expect(panel.hint).toContain('Reload the page');
      expect($(element, '.generate-button')).toBeNull();
      await expect(element).toBeAccessible();
    });

    it('tells the rep when no insight is set up for the object', async () => {
      const element = await renderReady({ objectApiName: 'Contact' }, []);

      expect(text($(element, '.no-templates'))).toContain('No AI insights are set up for Contact records yet');
      expect(text($(element, '.no-templates'))).toContain('Ask your Salesforce admin');
      expect($(element, '.generate-button')).toBeNull();
      await expect(element).toBeAccessible();
    });
  });

  describe('choosing a template', () => {
    it('offers the templates in a list, the first one chosen, with its description', async () => {
      const element = await renderReady();

      const choice = $(element, '.template-choice');
      expect(choice.options).toEqual([
        { label: 'Lead summary and next best step', value: 'Lead_Summary' },
        { label: 'Follow-up email draft', value: 'Lead_Follow_Up_Email' },
      ]);
      expect(choice.value).toBe('Lead_Summary');
      expect(text($(element, '.template-description'))).toBe('A short brief on the lead and the one thing to do next.');
      expect($(element, '.generate-button').disabled).toBe(false);
      await expect(element).toBeAccessible();
    });

    it('shows a single template by name instead of a list', async () => {
      const element = await renderReady({}, [TEMPLATES[0]]);

      expect($(element, '.template-choice')).toBeNull();
      expect(text($(element, '.single-template'))).toBe('Lead summary and next best step');
    });

    it('starts on the template chosen in App Builder and offers only the listed ones', async () => {
      const element = await renderReady({
        defaultTemplate: 'lead_follow_up_email',
        templateNames: ' Lead_Follow_Up_Email , Not_Here ',
      });

      expect($(element, '.template-choice')).toBeNull();
      expect(text($(element, '.single-template'))).toBe('Follow-up email draft');
    });

    it('generates with the template the rep picks', async () => {
      generate.mockResolvedValue(SUCCESS);
      const element = await renderReady();

      $(element, '.template-choice').dispatchEvent(
        new CustomEvent('change', { detail: { value: 'Lead_Follow_Up_Email' } }),
      );
      await flush();
      $(element, '.generate-button').click();
      await flush();

      expect(generate).toHaveBeenCalledWith({ templateName: 'Lead_Follow_Up_Email', recordId: RECORD_ID });
    });
  });

  describe('generating', () => {
    it('shows progress while the insight is written', async () => {
      generate.mockReturnValue(new Promise(() => {}));
      const element = await renderReady();

      $(element, '.generate-button').click();
      await flush();

      expect(generate).toHaveBeenCalledWith({ templateName: 'Lead_Summary', recordId: RECORD_ID });
      expect($(element, '.generating lightning-spinner').alternativeText).toBe('Writing the insight');
      expect($(element, '.generate-button')).toBeNull();
      expect($(element, '.template-choice').disabled).toBe(true);
      expect(text($(element, '.announcement'))).toBe('Writing the Lead summary and next best step insight.');
      await expect(element).toBeAccessible();
    });

    it('shows the insight with the model, the masked values and the cost', async () => {
      const element = await renderGenerated(SUCCESS);

      expect($(element, '.insight-text').textContent).toBe(SUCCESS.text);
      const details = $(element, '.run-details');
      expect(text(details)).toBe('gpt-4o-mini (openai) · 4 personal values masked · $0.0001');
      expect(details.title).toBe('Masked before the AI saw them: EMAIL: 1, FIELD: 3');
      expect($(element, '.cut-short')).toBeNull();
      expect($(element, '.generating')).toBeNull();
      expect(text($(element, '.announcement'))).toBe('The insight is ready.');
      await expect(element).toBeAccessible();
    });

    it('hides the model and cost when App Builder says so', async () => {
      const element = await renderGenerated(SUCCESS, { hideRunDetails: true });

      expect($(element, '.run-details')).toBeNull();
      expect($(element, '.insight-text')).not.toBeNull();
    });

    it('warns when the answer stopped at its length limit', async () => {
      const element = await renderGenerated(CUT_SHORT);

      expect(text($(element, '.cut-short'))).toContain('reached its length limit');
      expect(text($(element, '.run-details'))).toBe('llama3.1:8b (openai-compatible) · $0.00');
      await expect(element).toBeAccessible();
    });

    it('copies the insight and says so for two seconds', async () => {
      const element = await renderGenerated(SUCCESS);
      jest.useFakeTimers();

      $(element, '.copy-button').click();
      await flush();

      expect(navigator.clipboard.writeText).toHaveBeenCalledWith(SUCCESS.text);
      expect($(element, '.copy-button').iconName).toBe('utility:check');
      expect($(element, '.copy-button').alternativeText).toBe('Copied');
      jest.advanceTimersByTime(COPIED_FOR_MS);
      await flush();
      expect($(element, '.copy-button').iconName).toBe('utility:copy');
    });

    it('tells the rep how to copy when the browser refuses', async () => {
      navigator.clipboard.writeText.mockRejectedValue(new Error('NotAllowedError'));
      const element = await renderGenerated(SUCCESS);

      $(element, '.copy-button').click();
      await flush();

      expect(text($(element, '.copy-failed'))).toContain('select the text and copy it');
      await expect(element).toBeAccessible();
    });

    it('generates again and forgets the previous rating', async () => {
      const element = await renderGenerated(SUCCESS);
      $(element, '.rate-up').click();
      await flush();
      generate.mockResolvedValue(CUT_SHORT);

      $(element, '.regenerate-button').click();
      await flush();

      expect(generate).toHaveBeenCalledTimes(2);
      expect($(element, '.insight-text').textContent).toBe(CUT_SHORT.text);
      expect($(element, '.rate-up').selected).toBe(false);
      expect($(element, '.feedback-comment')).toBeNull();
    });

    it('clears the insight when the rep picks another template', async () => {
      const element = await renderGenerated(SUCCESS);

      $(element, '.template-choice').dispatchEvent(
        new CustomEvent('change', { detail: { value: 'Lead_Follow_Up_Email' } }),
      );
      await flush();

      expect($(element, '.insight')).toBeNull();
      expect($(element, '.generate-button')).not.toBeNull();
    });
  });

  describe('feedback', () => {
    it('saves a thumbs up at once, then offers an optional comment', async () => {
      const element = await renderGenerated(SUCCESS);

      $(element, '.rate-up').click();
      await flush();

      expect(saveFeedback).toHaveBeenCalledWith({ interactionId: SUCCESS.interactionId, rating: 'Up', comment: null });
      expect($(element, '.rate-up').selected).toBe(true);
      expect($(element, '.rate-down').selected).toBe(false);
      expect($(element, '.comment-input').label).toBe('What was helpful? (optional)');
      expect($(element, '.comment-input').maxLength).toBe(4000);
      expect($(element, '.save-comment').disabled).toBe(true);
      await expect(element).toBeAccessible();
    });

    it('saves the comment with the rating and thanks the rep', async () => {
      const element = await renderGenerated(SUCCESS);
      $(element, '.rate-down').click();
      await flush();
      expect($(element, '.comment-input').label).toBe('What was wrong? (optional)');

      typeComment(element, '  Wrong industry: they make robots.  ');
      await flush();
      $(element, '.save-comment').click();
      await flush();

      expect(saveFeedback).toHaveBeenLastCalledWith({
        interactionId: SUCCESS.interactionId,
        rating: 'Down',
        comment: 'Wrong industry: they make robots.',
      });
      expect($(element, '.feedback-comment')).toBeNull();
      expect(text($(element, '.comment-saved'))).toBe('Thanks for your feedback.');
      await expect(element).toBeAccessible();
    });

    it('keeps the saved comment when the rep changes the rating', async () => {
      const element = await renderGenerated(SUCCESS);
      $(element, '.rate-down').click();
      await flush();
      typeComment(element, 'Too long');
      await flush();
      $(element, '.save-comment').click();
      await flush();

      $(element, '.rate-up').click();
      await flush();

      expect(saveFeedback).toHaveBeenLastCalledWith({
        interactionId: SUCCESS.interactionId,
        rating: 'Up',
        comment: 'Too long',
      });
      expect($(element, '.rate-up').selected).toBe(true);
    });

    it('does not save the same rating twice', async () => {
      const element = await renderGenerated(SUCCESS);

      $(element, '.rate-up').click();
      await flush();
      $(element, '.rate-up').click();
      await flush();

      expect(saveFeedback).toHaveBeenCalledTimes(1);
    });

    it('says so when the feedback cannot be saved, and keeps the thumb unselected', async () => {
      saveFeedback.mockRejectedValue({
        body: {
          message:
            'You do not have permission to rate insights: ask your admin for the AI Scoring Viewer permission set',
        },
      });
      const element = await renderGenerated(SUCCESS);

      $(element, '.rate-up').click();
      await flush();

      const panel = $(element, 'c-error-panel.feedback-error');
      expect(panel.friendlyMessage).toBe("Your feedback couldn't be saved.");
      expect(panel.errors.body.message).toContain('AI Scoring Viewer');
      expect($(element, '.rate-up').selected).toBe(false);
      await expect(element).toBeAccessible();
    });
  });

  describe('failures', () => {
    it.each([
      ['no access', NO_ACCESS, "You can't see everything this insight needs", 'Ask your admin for access', false],
      ['route not configured', ROUTE_NOT_FOUND, "The AI model for this insight isn't configured.", 'route', false],
      ['provider down', PROVIDERS_FAILED, "The AI service isn't available right now.", 'Try again in a minute', true],
      ['deadline', DEADLINE_EXCEEDED, 'The AI took too long to answer.', 'Try again', true],
      [
        'a used-up budget',
        BUDGET_EXCEEDED,
        'The AI usage budget for insights is used up for now.',
        'once the budget resets; the details say when',
        false,
      ],
      ['a rate limit', RATE_LIMITED, 'Too many insights were asked for in the last minute.', 'Wait a minute', true],
    ])('explains %s and what to do', async (_name, answer, title, hint, retryable) => {
      const element = await renderGenerated(answer);

      const panel = $(element, 'c-error-panel.generate-error');
      expect(panel.friendlyMessage).toContain(title);
      expect(panel.hint).toContain(hint);
      expect(panel.errors).toContain(answer.errorMessage);
      expect(panel.errors).toContain(`Error code: ${answer.errorCode}`);
      expect(Boolean($(element, '.retry-button'))).toBe(retryable);
      expect($(element, '.insight')).toBeNull();
      expect($(element, '.generate-button')).toBeNull();
      expect(text($(element, '.announcement'))).toBe(adviceFor(answer.errorCode).title);
      await expect(element).toBeAccessible();
    });

    it('gives the request id to forward to the admin', async () => {
      const element = await renderGenerated(PROVIDERS_FAILED);

      expect($(element, 'c-error-panel.generate-error').errors).toContain(`Request ID: ${PROVIDERS_FAILED.requestId}`);
    });

    it('tries again from the error', async () => {
      const element = await renderGenerated(DEADLINE_EXCEEDED);
      generate.mockResolvedValue(SUCCESS);

      $(element, '.retry-button').click();
      await flush();

      expect(generate).toHaveBeenCalledTimes(2);
      expect($(element, 'c-error-panel.generate-error')).toBeNull();
      expect($(element, '.insight-text').textContent).toBe(SUCCESS.text);
    });

    it('explains a failed Apex call with its details', async () => {
      generate.mockRejectedValue(APEX_ERROR);
      const element = await renderReady();

      $(element, '.generate-button').click();
      await flush();

      const panel = $(element, 'c-error-panel.generate-error');
      expect(panel.friendlyMessage).toBe("The insight couldn't be generated.");
      expect(panel.errors).toEqual(APEX_ERROR);
      expect($(element, '.retry-button')).not.toBeNull();
      await expect(element).toBeAccessible();
    });
  });

  describe('advice and formatting', () => {
    it('treats gateway statuses as worth another try and unknown codes with a general message', () => {
      expect(adviceFor('HTTP_503').retryable).toBe(true);
      expect(adviceFor('HTTP_429').title).toBe(adviceFor('PROVIDERS_FAILED').title);
      expect(adviceFor('HTTP_404').title).toBe("The insight couldn't be generated.");
      expect(adviceFor(undefined).title).toBe("The insight couldn't be generated.");
      expect(adviceFor('NAMED_CREDENTIAL').hint).toContain('BYOM Inference credential');
    });

    it('formats costs and masked counts quietly', () => {
      expect(formatCost(0.0001194)).toBe('$0.0001');
      expect(formatCost(0.00004)).toBe('< $0.0001');
      expect(formatCost(0.125)).toBe('$0.13');
      expect(formatCost(0)).toBe('$0.00');
      expect(formatCost(null)).toBeNull();
      expect(formatMasked(1)).toBe('1 personal value masked');
      expect(formatMasked(0)).toBeNull();
      expect(runDetails({ model: 'm' })).toEqual(['m']);
    });
  });
});
