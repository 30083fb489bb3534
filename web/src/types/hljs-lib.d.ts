// highlight.js 9 modules imported one by one (core and single languages).
declare const mod: any;
export default mod;
