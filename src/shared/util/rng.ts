/** The engine's seeded generator is the exported TypeScript runtime's (src/runtime/ts/rng.ts): one stream everywhere. */
export { Rng } from '../../runtime/ts/rng.ts';
