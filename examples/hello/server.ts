/**
 * Starts the hello example on 127.0.0.1:8000 (set PORT and HOST to change it).
 *
 * @module
 */
import { app } from './app.js';

await app.listen();
