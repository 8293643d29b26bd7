import { z } from 'zod';
import { InitMode, contextShape, lastLayerInit, requireRoutes, targetVariance, xavierInit } from '../common';
import { defineNode } from '../types';
import { headOutputs } from './mlpCore';

/**
 * Ha, Dai & Le (2016), static hypernetwork for convolutions: from a layer embedding z, a_i = W_i z + B_i for
 * each input channel i (stage 1), then K_i = W_out a_i + B_out gives that channel's cout·kh·kw slice, PyTorch's weight[:, i] (stage 2).
 */
export const HaStaticHead = defineNode({
  id: 'head.ha_static',
  category: 'head',
  title: 'Two-stage conv generator (Ha)',
  doc: 'Ha, Dai & Le (2016) static hypernetwork: a layer embedding z ([1, Nz], e.g. a Learned vector) is mapped to one d-vector per input channel, and a shared second stage maps each to that channel\'s cout×kh×kw kernel slice (PyTorch\'s weight[:, i]). Drives Conv2D kernels that share kernel size and output channels (channels add up when it drives several).',
  params: z.object({
    innerDim: z.number().int().min(1).max(4096).default(64).meta({ ui: { label: 'inner size d', key: true } }),
    init: InitMode,
  }),
  inputs: () => [{ name: 'z', kind: 'tensor', doc: 'Layer embedding [1, Nz].' }],
  outputs: headOutputs,
  infer: (ctx) => {
    const { batch } = contextShape(ctx, 'z');
    if (batch !== 1) ctx.fail('HN033', 'generates one kernel for the whole batch; wire a [1, Nz] embedding (per-sample convolution kernels are not supported)', 'z');
    const routes = requireRoutes(ctx, 'weights');
    const [first] = routes;
    for (const r of routes) {
      if (r.shape.length !== 4) ctx.fail('HN031', `drives ${r.target}.${r.port} of shape [${r.shape.join(', ')}]; this head generates Conv2D kernels [kh, kw, cin, cout] only`, 'weights');
      if (r.shape[0] !== first.shape[0] || r.shape[1] !== first.shape[1] || r.shape[3] !== first.shape[3])
        ctx.fail('HN031', `kernels it drives must share kh, kw and cout: ${first.target} is [${first.shape.join(', ')}], ${r.target} is [${r.shape.join(', ')}]`, 'weights');
    }
    return { weights: { kind: 'weights', perSample: false, size: routes.reduce((a, r) => a + r.shape.reduce((x, y) => x * y, 1), 0) } };
  },
  lower: (ctx) => {
    const p = ctx.params;
    const info = ctx.info('z');
    if (info.kind !== 'tensor') return ctx.fail('HN022', 'z must be a tensor', 'z');
    const nz = info.shape[1] as number;
    const routes = ctx.routes('weights');
    const [kh, kw, , cout] = routes[0].shape;
    const cin = routes.reduce((a, r) => a + r.shape[2], 0);
    const d = p.innerDim;
    const w1 = ctx.param('stage1.weight', [nz, cin * d], p.init === 'xavier' ? xavierInit(nz, cin * d) : { kind: 'normal', std: Math.sqrt(1 / nz) });
    const b1 = ctx.param('stage1.bias', [cin * d], { kind: 'zeros' });
    const a = ctx.op({ op: 'linear', perSample: false }, [ctx.input('z'), w1, b1], [1, cin * d], 'stage1');
    const rows = ctx.op({ op: 'reshape' }, [a], [cin, d], 'channel_codes');
    // Stage 2 is shared by every input channel, so aim for the channel-weighted mean of the kernels' variances.
    const variance = routes.reduce((s, r) => s + targetVariance(r, p.init) * r.shape[2], 0) / cin;
    const w2 = ctx.param('stage2.weight', [d, kh * kw * cout], lastLayerInit(p.init, rows, d, [{ size: kh * kw * cout, variance }]));
    const b2 = ctx.param('stage2.bias', [kh * kw * cout], { kind: 'zeros' });
    const k = ctx.op({ op: 'linear', perSample: false }, [rows, w2, b2], [cin, kh * kw * cout], 'stage2');
    let begin = 0;
    routes.forEach((r, i) => {
      const c = r.shape[2];
      const name = `weights.${i}.${r.target}_${r.port}`;
      const part = ctx.op({ op: 'slice', axis: 0, begin, size: c }, [k], [c, kh * kw * cout], `${name}.rows`);
      begin += c;
      // Each input channel's slice is [cout, kh, kw], nn.Conv2d's weight[:, i] (the kernels' declared order,
      // with the input channel first since stage 2 runs per input channel).
      const shaped = ctx.op({ op: 'reshape' }, [part], [c, cout, kh, kw], `${name}.cin_first`);
      ctx.deliver(r, ctx.op({ op: 'transpose', perm: [2, 3, 0, 1] }, [shaped], [kh, kw, c, cout], name));
    });
    return { weights: k };
  },
});
