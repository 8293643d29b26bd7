/** The fresh-machine set-up: `npm run setup` is the script .ci/run uses, and the README's test command runs it. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR } from '../src/shared/nodes/data/fashionMnist';

const root = resolve(import.meta.dirname, '..');

describe('npm run setup', () => {
  it('is scripts/setup.sh, which .ci/run calls and the README test command includes', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.setup).toBe('bash scripts/setup.sh');
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(/^bash scripts\/setup\.sh$/m);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('npm ci && npm run setup && npm test');
    expect(spawnSync('bash', ['-n', join(root, 'scripts/setup.sh')]).status).toBe(0);
  });

  it('installs Debian\'s dataset-fashion-mnist where the folder the data.fashion_mnist node reads lacks its files', () => {
    const script = readFileSync(join(root, 'scripts/setup.sh'), 'utf8');
    expect(script).toContain(`[ -e ${FASHION_MNIST_DIR}/t10k-labels-idx1-ubyte.gz ] || need+=(dataset-fashion-mnist)`);
  });

  it('installs the Vulkan loader where it is missing: the webgpu tests run Dawn on Chromium\'s SwiftShader driver', () => {
    const script = readFileSync(join(root, 'scripts/setup.sh'), 'utf8');
    expect(script).toContain("grep -q 'libvulkan\\.so\\.1' || need+=(libvulkan1)");
  });

});
