// zh-CN strings for the agents area (owned by the pages helper). Keys are used as t('agents.<key>').
const strings: Record<string, string> = {};
export default strings;
