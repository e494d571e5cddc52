export default 'USD';
