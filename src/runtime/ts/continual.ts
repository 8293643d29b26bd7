/**
 * Continual-learning evaluation shared by the engine and the exported trainer, so both report the same numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from './batch.ts';
import { readValues } from './read.ts';

export type TaskInference = {
  /** The accuracy metric with the task given. */
  accuracy_cl1: number;
  /** The class right with the inferred task's weights. */
  accuracy_cl2: number;
  /** The inferred task and the class both right. */
  accuracy_cl3: number;
  /** The inferred task right. */
  task_inferred: number;
};

/**
 * Task inference (von Oswald et al. 2020, HNET+ENT): each test sample of each trained task is run with every
 * trained task's embedding, and the task whose softmax prediction has the lowest entropy is taken. Each value is
 * the mean over tasks of that task's fraction (for disjoint class sets, as Split MNIST's, accuracy_cl3 is the
 * global class right).
 *
 * batchesOf(task): the task's evaluation batches (integer labels); logitsOf(batch): the class logits of the
 * batch run as its task (called inside a tidy, with each candidate task); accuracyOf(batch): the accuracy metric.
 */
export async function inferTasks(
  tasks: number[],
  batchesOf: (task: number) => Iterable<Batch>,
  logitsOf: (b: Batch) => tf.Tensor,
  accuracyOf: (b: Batch) => Promise<number>,
): Promise<TaskInference> {
  const sums: TaskInference = { accuracy_cl1: 0, accuracy_cl2: 0, accuracy_cl3: 0, task_inferred: 0 };
  for (const task of tasks) {
    let [taskN, cl1, cl2, cl3, found] = [0, 0, 0, 0, 0];
    for (const b of batchesOf(task)) {
      const labels = Array.from(b.y as Int32Array);
      const best = new Array<number>(b.n).fill(Infinity);
      const chosen = new Array<number>(b.n).fill(-1);
      const classOf = new Array<number>(b.n).fill(-1);
      for (const candidate of tasks) {
        const [entropy, classes] = await readValues(() => {
          const logits = logitsOf({ ...b, task: candidate });
          const logP = tf.logSoftmax(logits);
          return [tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), -1)), tf.argMax(logits, -1)];
        });
        for (let i = 0; i < b.n; i++) if (entropy[i] < best[i]) [best[i], chosen[i], classOf[i]] = [entropy[i], candidate, classes[i]];
      }
      cl1 += (await accuracyOf(b)) * b.n;
      taskN += b.n;
      for (let i = 0; i < b.n; i++) {
        const right = classOf[i] === labels[i];
        cl2 += right ? 1 : 0;
        cl3 += right && chosen[i] === task ? 1 : 0;
        found += chosen[i] === task ? 1 : 0;
      }
    }
    const of = (k: number) => k / Math.max(1, taskN) / tasks.length;
    sums.accuracy_cl1 += of(cl1);
    sums.accuracy_cl2 += of(cl2);
    sums.accuracy_cl3 += of(cl3);
    sums.task_inferred += of(found);
  }
  return sums;
}
