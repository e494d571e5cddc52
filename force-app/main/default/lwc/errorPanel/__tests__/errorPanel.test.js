import { createElement } from 'lwc';
import ErrorPanel from 'c/errorPanel';

function render(props) {
  const element = createElement('c-error-panel', { is: ErrorPanel });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

const query = (element, selector) => element.shadowRoot.querySelector(selector);

describe('c-error-panel', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('shows the friendly message and the hint as an alert', () => {
    const element = render({ friendlyMessage: 'The score could not be loaded.', hint: 'Ask your admin.' });

    expect(query(element, '[role="alert"]')).not.toBeNull();
    expect(query(element, '.friendly-message').textContent).toBe('The score could not be loaded.');
    expect(query(element, '.hint').textContent).toBe('Ask your admin.');
  });

  it('falls back to a generic message and no hint', () => {
    const element = render({});

    expect(query(element, '.friendly-message').textContent).toBe('Something went wrong.');
    expect(query(element, '.hint')).toBeNull();
  });

  it('keeps the reduced messages behind a toggle until asked for', async () => {
    const element = render({
      errors: [{ body: { message: 'Insufficient access' } }, new Error('Network down')],
    });
    const toggle = query(element, '.details-toggle');

    expect(toggle.textContent.trim()).toBe('Show details');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(query(element, '.details')).toBeNull();

    toggle.click();
    await Promise.resolve();

    const items = [...element.shadowRoot.querySelectorAll('.details li')].map((li) => li.textContent);
    expect(items).toEqual(['Insufficient access', 'Network down']);
    expect(toggle.textContent.trim()).toBe('Hide details');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');

    toggle.click();
    await Promise.resolve();
    expect(query(element, '.details')).toBeNull();
  });

  it('offers no details when there are no messages or when they are hidden', () => {
    expect(query(render({ errors: undefined }), '.details-toggle')).toBeNull();
    expect(query(render({ errors: { body: { message: 'x' } }, hideDetails: true }), '.details-toggle')).toBeNull();
  });

  it('uses the error icon by default and the warning icon for warnings', () => {
    expect(query(render({}), 'lightning-icon').iconName).toBe('utility:error');
    expect(query(render({ variant: 'warning' }), 'lightning-icon').iconName).toBe('utility:warning');
    expect(query(render({ variant: 'bogus' }), 'lightning-icon').iconName).toBe('utility:error');
  });

  it('is accessible with its details open', async () => {
    const element = render({ errors: { body: { message: 'Insufficient access' } }, hint: 'Ask your admin.' });
    query(element, '.details-toggle').click();
    await Promise.resolve();

    await expect(element).toBeAccessible();
  });
});
