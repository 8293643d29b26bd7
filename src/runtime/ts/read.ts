/**
 * Reading values off the device, always asynchronously: the webgpu backend cannot read synchronously under
 * Node (tfjs's readSync goes through an OffscreenCanvas), and on the CPU backends data() costs what dataSync()
 * does. Shared by the engine and the TypeScript export.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The scalars `make` computes (run inside a tidy), read from the device in one transfer, by name. */
export async function readScalars<K extends string>(make: () => Record<K, tf.Tensor>): Promise<Record<K, number>> {
  const keys: K[] = [];
  const packed = tf.tidy(() => {
    const made = make();
    keys.push(...(Object.keys(made) as K[]));
    return keys.length ? tf.stack(keys.map((k) => tf.reshape(tf.cast(made[k], 'float32'), []))) : tf.zeros([0]);
  });
  try {
    const values = await packed.data();
    return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Record<K, number>;
  } finally {
    packed.dispose();
  }
}

/** The values of the tensors `make` computes (run inside a tidy), read and released. */
export async function readValues(make: () => tf.Tensor[]): Promise<tf.TypedArray[]> {
  const made = tf.tidy(make);
  try {
    return (await Promise.all(made.map((t) => t.data()))) as tf.TypedArray[];
  } finally {
    tf.dispose(made);
  }
}
