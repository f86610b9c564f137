#!/usr/bin/env node
// Node 20 cannot run TypeScript: register tsx, then start the relay's TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
