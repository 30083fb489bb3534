// en strings for the serviceAgents area (owned by the pages helper). Keys are used as t('serviceAgents.<key>').
const strings: Record<string, string> = {};
export default strings;
