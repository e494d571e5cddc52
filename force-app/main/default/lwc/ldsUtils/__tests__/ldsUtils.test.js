import { reduceErrors } from 'c/ldsUtils';

describe('c-lds-utils reduceErrors', () => {
  it('reads the message of an Apex error from a wire or an imperative call', () => {
    const apexError = {
      status: 500,
      body: { message: 'Attempt to de-reference a null object', exceptionType: 'System.NullPointerException' },
    };

    expect(reduceErrors(apexError)).toEqual(['Attempt to de-reference a null object']);
  });

  it('reads every message of a UI API read error', () => {
    const uiApiError = { body: [{ message: 'First problem' }, { message: 'Second problem' }] };

    expect(reduceErrors(uiApiError)).toEqual(['First problem', 'Second problem']);
  });

  it('reads page errors and field errors of a DML error', () => {
    const dmlError = {
      body: {
        pageErrors: [{ message: 'Record is locked' }],
        fieldErrors: { Name: [{ message: 'Name is required' }], Phone: [{ message: 'Phone is invalid' }] },
      },
    };

    expect(reduceErrors(dmlError)).toEqual(['Record is locked', 'Name is required', 'Phone is invalid']);
  });

  it('reads the output errors of a UI API DML error', () => {
    const uiApiDmlError = {
      body: {
        message: 'An error occurred while trying to update the record.',
        output: { errors: [{ message: 'Validation failed' }], fieldErrors: { Email: [{ message: 'Bad email' }] } },
      },
    };

    expect(reduceErrors(uiApiDmlError)).toEqual(['Validation failed', 'Bad email']);
  });

  it('reads JavaScript errors, strings and status texts', () => {
    expect(reduceErrors(new TypeError('x is undefined'))).toEqual(['x is undefined']);
    expect(reduceErrors('Plain text')).toEqual(['Plain text']);
    expect(reduceErrors({ status: 503, statusText: 'Service Unavailable' })).toEqual(['Service Unavailable']);
  });

  it('flattens a list of errors, dropping empty entries and repeated messages', () => {
    const errors = [
      null,
      undefined,
      { body: { message: 'Same message' } },
      { body: { message: 'Same message' } },
      { body: { message: '   ' } },
      {},
      'Another message',
    ];

    expect(reduceErrors(errors)).toEqual(['Same message', 'Another message']);
  });

  it('returns no messages for no error', () => {
    expect(reduceErrors(undefined)).toEqual([]);
    expect(reduceErrors([])).toEqual([]);
  });
});
