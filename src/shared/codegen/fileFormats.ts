/** The file-format versions live with the TypeScript runtime that reads and writes them (src/runtime/ts/formats.ts). */
export { CHECKPOINT_VERSION, LAYOUT_CHANGED, WEIGHTS_VERSION, layoutChanged } from '../../runtime/ts/formats.ts';
