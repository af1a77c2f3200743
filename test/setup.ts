import { Testing } from 'cdktf';
import { disableTokenStackTraces } from '../stacks/token-traces';

Testing.setupJest();

// As in `npm start`: no stack trace per token (a fifth of every synth; see stacks/token-traces.ts).
disableTokenStackTraces();
