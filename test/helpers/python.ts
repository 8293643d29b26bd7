/** The Python the PyTorch tests run: HNET_PYTHON, else Debian's /usr/bin/python3, which must have torch and numpy. */
import { spawnSync } from 'node:child_process';

export const PYTHON = process.env.HNET_PYTHON ?? '/usr/bin/python3';

let torchChecked: string | null = null;

/** Fails (never skips) with a clear message when Python or PyTorch is missing; asks Python once per test file. */
export function requireTorch(): void {
  if (torchChecked === null) {
    const r = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
    torchChecked =
      r.status === 0
        ? ''
        : `PyTorch is required for these tests: ${PYTHON} -c "import torch, numpy" failed (${r.error?.message ?? r.stderr.trim().split('\n').pop()}). ` +
          'Install python3-torch (Debian) or set HNET_PYTHON to a Python with torch and numpy.';
  }
  if (torchChecked) throw new Error(torchChecked);
}
