// Applies the saved theme before the first paint (a file, since the CSP forbids inline scripts).
try {
  var t = localStorage.getItem('agentim.theme') || 'system';
  var d = t === 'dark' || (t === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = d ? 'dark' : 'light';
  var l = localStorage.getItem('agentim.lang');
  if (l) document.documentElement.lang = l;
} catch (e) {}
