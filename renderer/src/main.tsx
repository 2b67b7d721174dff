import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectEngine } from './api/client.ts';
import { bindEngine } from './store/engine-store.ts';
import { App } from './components/app.tsx';
import './styles/app.css';

bindEngine(connectEngine());

const root = document.getElementById('root');
if (!root) throw new Error('missing #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
