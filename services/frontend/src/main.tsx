import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { createShopApi, loadConfig } from './api/index';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');

try {
  const api = createShopApi(loadConfig());
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <App api={api} />
      </BrowserRouter>
    </StrictMode>,
  );
} catch (error) {
  // Without a configuration nothing can work; say so plainly instead of showing a blank page.
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.className = 'notice notice--error';
  message.textContent = `The shop is not configured correctly: ${error instanceof Error ? error.message : String(error)}`;
  root.replaceChildren(message);
}
