import { Header } from './header.tsx';
import { useEngineStore } from '../store/engine-store.ts';

export function App() {
  const ready = useEngineStore((s) => s.state !== null);
  return (
    <div className="app" data-state={ready ? 'ready' : 'loading'}>
      <Header />
      <main className="workspace">{ready ? null : <p className="loading">Connecting to the engine…</p>}</main>
    </div>
  );
}
