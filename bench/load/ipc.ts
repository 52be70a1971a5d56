/**
 * The load-process side of the orchestrator IPC channel (see lib/proc.ts runLoad).
 */
let nextId = 1;
const replies = new Map<number, (m: { value?: unknown; error?: string }) => void>();

/** Waits for the orchestrator's config message, then runs `main` and sends its result. */
export function loadMain<C, R>(main: (config: C) => Promise<R>): void {
  process.on('message', (m: { type: string; id?: number; config?: C; value?: unknown; error?: string }) => {
    if (m.type === 'config') {
      main(m.config as C).then(
        (data) => {
          process.send!({ type: 'result', data }, () => process.exit(0));
        },
        (e: unknown) => {
          process.send!({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) }, () => process.exit(1));
        },
      );
    } else if (m.type === 'reply' && m.id !== undefined) {
      replies.get(m.id)?.(m);
      replies.delete(m.id);
    }
  });
  process.on('disconnect', () => process.exit(2));
}

/** Asks the orchestrator to do something (e.g. measure a server's memory) and waits for its answer. */
export function requestParent<T>(what: string, arg?: unknown): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    replies.set(id, (m) => (m.error ? reject(new Error(m.error)) : resolve(m.value as T)));
    process.send!({ type: 'request', id, what, arg });
  });
}
