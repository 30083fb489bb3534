// Entry: styles, theme, the React root, and the service worker.
import { createRoot } from 'react-dom/client';
import './styles/app.css';
import './stores/theme';
import { App } from './app/App';
import { registerServiceWorker } from './app/serviceWorker';

createRoot(document.getElementById('root')!).render(<App />);
registerServiceWorker();
