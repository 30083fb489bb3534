// zh-CN strings for the admin area (owned by the pages helper). Keys are used as t('admin.<key>').
const strings: Record<string, string> = {};
export default strings;
