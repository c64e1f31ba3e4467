// Worker threads start without the test runner's TypeScript support: register tsx's loader in this
// thread, then load the worker.
import { register } from 'tsx/esm/api';

register();
await import('./linear-time.worker.ts');
