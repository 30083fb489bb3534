// Chat strings.
const strings: Record<string, string> = {};
export default strings;
