// Composition root. Until the server lands, `npm start` runs the demo trading day through the cets command line,
// which loads and validates the market catalogue first.
import './cli/main.ts';
