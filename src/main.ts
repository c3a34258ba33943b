// Composition root. Until the server lands, `npm start` runs the engine demo session.
import { runDemo } from './cli/demo.ts';

runDemo();
