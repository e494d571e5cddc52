/** The user settings the screenshots are taken with (Salesforce provides them in an org). */
export default 'en-US';
