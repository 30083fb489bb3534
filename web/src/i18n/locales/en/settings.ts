// en strings for the settings area (owned by the pages helper). Keys are used as t('settings.<key>').
const strings: Record<string, string> = {};
export default strings;
