export default 'America/Los_Angeles';
