/**
 * The inspector: a form generated from the selected node type's parameter schema (labels and help from its UI
 * hints), the node's label, its ports with inferred shapes, its problems and documentation. With nothing
 * selected it edits the document: metadata and training settings.
 */
import { useCallback, useMemo, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ValueInfo } from '../../../shared/nodes/types';
import type { HnetProblem } from '../../../shared/compiler/errors';
import { formatShape } from '../../../shared/compiler/shape';
import { BLOCK_TYPE, Backend, Metadata, Optimizer, Training, type DocNode, type HnetDocument } from '../../../shared/document/schema';
import { BlockInspector, PromoteSection } from './BlockInspector';
import { CATEGORY_LABEL } from '../canvas/NodeCard';
import { focusNode } from '../canvas/view';
import { deleteSelection } from '../commands';
import { nodeInfo, paramFields, type ParamField } from '../store/catalog';
import { useCompiled } from '../store/compiled';
import { setLabel, setParam } from '../store/docOps';
import { useEditor } from '../store/editor';
import { Markdown } from '../ui/Markdown';
import { DataFiles } from './DataFiles';
import { CheckField, SelectField, TextField, checkWith, formatFieldValue, parseFieldText, type Parsed } from './Field';

export function Inspector() {
  const selected = useEditor((s) => s.selectedNodes);
  const session = useEditor((s) => s.session);
  let body: ReactNode;
  const blockSelected = useEditor((s) => s.selectedNodes.size === 1 && s.doc.nodes.find((n) => n.id === [...s.selectedNodes][0])?.type === BLOCK_TYPE);
  if (selected.size === 1 && blockSelected) {
    const id = [...selected][0];
    body = <BlockInspector key={`${session}:${id}`} id={id} />;
  } else if (selected.size === 1) {
    const id = [...selected][0];
    body = <NodeInspector key={`${session}:${id}`} id={id} />;
  } else if (selected.size > 1) body = <MultiInspector count={selected.size} />;
  else body = <DocumentInspector key={session} />;
  return (
    <aside className="hn-inspector" data-testid="inspector" aria-label="Inspector">
      {body}
    </aside>
  );
}

/** Node documentation (a little Markdown), rendered as text, never as HTML. */
function DocText({ text }: { text: string }) {
  return <Markdown text={text} className="hn-doc" />;
}

function describeValue(v: ValueInfo | undefined): string {
  if (!v) return '?';
  if (v.kind === 'tensor') return formatShape(v.shape);
  if (v.kind === 'task') return `task id (${v.count} task${v.count === 1 ? '' : 's'})`;
  return `${v.size.toLocaleString('en')} values${v.perSample ? ' per sample' : ''}`;
}

/** A node's (or a block's) problems at the top of its inspector; `where` says what to name before each message. */
export function ProblemLines({ problems, where }: { problems: readonly HnetProblem[]; where: (p: HnetProblem) => string | undefined }) {
  if (!problems.length) return null;
  return (
    <div className="hn-inspector__problems" role="alert">
      {problems.map((p, i) => {
        const w = where(p);
        return (
          <div key={i} className="hn-problem-line">
            <span className="hn-code">{p.code}</span> {p.severity === 'warning' ? 'warning: ' : null}
            {w ? <b>{w}: </b> : null}
            {p.message}
          </div>
        );
      })}
    </div>
  );
}

export function Section({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <section className="hn-section">
      <h3>
        {title}
        {aside && <span className="hn-section__aside">{aside}</span>}
      </h3>
      {children}
    </section>
  );
}

function NodeInspector({ id }: { id: string }) {
  // Everything but the position: dragging the node must not re-render its form on every frame.
  const [type_, params, label, exists] = useEditor(
    useShallow((s) => {
      const n = s.doc.nodes.find((x) => x.id === id);
      return [n?.type, n?.params, n?.label, n !== undefined] as const;
    }),
  );
  const node = useMemo(
    () => (exists && type_ !== undefined ? ({ id, type: type_, params: params ?? {}, label, position: { x: 0, y: 0 } } as DocNode) : undefined),
    [id, type_, params, label, exists],
  );
  const edges = useEditor((s) => s.doc.edges);
  const compiled = useCompiled();
  const apply = useEditor((s) => s.apply);
  const commitParam = useCallback(
    (key: string, value: unknown) => apply((d) => setParam(d, id, key, value), { coalesce: `param:${id}:${key}` }),
    [apply, id],
  );
  if (!node) return null;
  const info = nodeInfo(node);
  const type = info.type;
  const problems = compiled.byNode.get(id) ?? [];
  const inf = compiled.result.inference;
  const category = type?.category ?? 'unknown';

  return (
    <div className="hn-inspector__body">
      <header className={`hn-inspector__head cat-${category}`}>
        <span className="hn-chip">{CATEGORY_LABEL[category]}</span>
        <h2>{type?.title ?? node.type}</h2>
        <div className="hn-inspector__id">
          <code>{node.id}</code> · <code>{node.type}</code>
        </div>
      </header>

      <ProblemLines problems={problems} where={(p) => p.port} />

      <Section title="Node">
        <TextField
          label="Label"
          help="Shown on the canvas instead of the type's title. Plain text."
          value={node.label ?? ''}
          format={(v) => String(v ?? '')}
          parse={(t): Parsed => (t.length > 200 ? { ok: false, error: 'must be at most 200 characters' } : { ok: true, value: t })}
          commit={(v) => apply((d) => setLabel(d, id, String(v)), { coalesce: `label:${id}`, graph: false })}
          placeholder={type?.title ?? ''}
          testId="inspector-label"
        />
      </Section>

      {type && (
        <Section title="Parameters">
          {paramFields(type).length === 0 && <p className="hn-muted">This node has no parameters.</p>}
          {paramFields(type).map((f) => (
            <ParamInput key={f.key} field={f} value={(node.params ?? {})[f.key] ?? info.params[f.key]} commit={commitParam} />
          ))}
        </Section>
      )}

      {type && <PromoteSection id={id} type={type} />}
      {type?.dataset?.files && (
        <Section title="Data files">
          <DataFiles id={id} type={type} />
        </Section>
      )}

      {(info.inputs.length > 0 || info.outputs.length > 0) && (
        <Section title="Ports">
          <table className="hn-ports">
            <tbody>
              {info.inputs.map((p) => {
                const e = edges.find((x) => x.target === id && x.targetPort === p.name);
                let shape = '';
                let note: string;
                if (p.kind === 'weights') {
                  const decl = inf?.weights.get(id)?.find((w) => w.port === p.name);
                  shape = decl ? formatShape(decl.shape) : '?';
                  note = e ? `generated by ${e.source}` : 'owned (trainable)';
                } else if (e) {
                  shape = describeValue(inf?.values.get(`${e.source}.${e.sourcePort}`));
                  note = `from ${e.source}.${e.sourcePort}`;
                } else note = p.optional ? 'optional, not wired' : 'not wired';
                return (
                  <tr key={`in-${p.name}`} title={p.doc}>
                    <td className="hn-ports__dir">in</td>
                    <td>
                      <span className={`hn-kind-dot kind-${p.kind}`} />
                      {p.name}
                    </td>
                    <td className="hn-ports__shape">{shape}</td>
                    <td className="hn-ports__note">
                      {e ? (
                        <button type="button" className="hn-link" onClick={() => selectAndFocus(e.source)}>
                          {note}
                        </button>
                      ) : (
                        note
                      )}
                    </td>
                  </tr>
                );
              })}
              {info.outputs.map((p) => (
                <tr key={`out-${p.name}`} title={p.doc}>
                  <td className="hn-ports__dir">out</td>
                  <td>
                    <span className={`hn-kind-dot kind-${p.kind}`} />
                    {p.name}
                  </td>
                  <td className="hn-ports__shape">{inf?.values.get(`${id}.${p.name}`) ? describeValue(inf.values.get(`${id}.${p.name}`)) : '?'}</td>
                  <td className="hn-ports__note">{p.kind}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}

      {type && (
        <Section title="About">
          <DocText text={type.doc} />
        </Section>
      )}

      <div className="hn-inspector__actions">
        <button type="button" className="hn-btn hn-btn--danger" onClick={deleteSelection}>
          Delete node
        </button>
      </div>
    </div>
  );
}

function selectAndFocus(id: string) {
  useEditor.getState().setSelection(new Set([id]), new Set());
  focusNode(id);
}

export function ParamInput({ field, value, commit }: { field: ParamField; value: unknown; commit: (key: string, v: unknown) => void }) {
  const testId = `param-${field.key}`;
  const help = field.help ?? rangeHelp(field);
  if (field.kind === 'boolean')
    return <CheckField label={field.label} help={field.help} value={Boolean(value)} commit={(v) => commit(field.key, v)} testId={testId} />;
  if (field.kind === 'enum' && field.options)
    return <SelectField label={field.label} help={field.help} value={String(value ?? field.default ?? '')} options={field.options} commit={(v) => commit(field.key, v)} testId={testId} />;
  return (
    <TextField
      label={field.label}
      help={help}
      value={value}
      format={(v) => formatFieldValue(field.kind, v)}
      parse={(t) => parseFieldText(field, t)}
      commit={(v) => commit(field.key, v)}
      multiline={field.kind === 'json'}
      inputMode={field.kind === 'integer' ? 'numeric' : field.kind === 'number' ? 'decimal' : 'text'}
      placeholder={field.kind === 'numberList' ? 'e.g. 64, 64' : field.optional ? 'optional' : undefined}
      testId={testId}
    />
  );
}

function rangeHelp(f: ParamField): string | undefined {
  const lo = f.min ?? (f.exclusiveMin !== undefined ? `> ${f.exclusiveMin}` : undefined);
  if (f.kind === 'numberList') return 'Comma-separated numbers.';
  if (lo === undefined && f.max === undefined) return undefined;
  if (typeof lo === 'number' && f.max !== undefined) return `${lo.toLocaleString('en')} to ${f.max.toLocaleString('en')}`;
  if (lo !== undefined) return `at least ${lo}`;
  return `at most ${f.max}`;
}

function MultiInspector({ count }: { count: number }) {
  return (
    <div className="hn-inspector__body">
      <header className="hn-inspector__head">
        <h2>{count} nodes selected</h2>
      </header>
      <p className="hn-muted">Copy, duplicate, delete or drag them together. Select one node to edit its parameters.</p>
      <div className="hn-inspector__actions">
        <button type="button" className="hn-btn hn-btn--danger" onClick={deleteSelection}>
          Delete {count} nodes
        </button>
      </div>
    </div>
  );
}

const trainingShape = Training.shape;
const metadataShape = Metadata.shape;

function DocumentInspector() {
  // Metadata, training and counts only: moving nodes must not re-render this form.
  const doc = useEditor(
    useShallow((s) => ({ metadata: s.doc.metadata, training: s.doc.training, nodes: s.doc.nodes.length, edges: s.doc.edges.length })),
  );
  const apply = useEditor((s) => s.apply);
  const setMeta = (key: 'name' | 'description' | 'citation', v: unknown) =>
    apply(
      (d) => {
        const metadata = { ...d.metadata };
        if (v === undefined || v === '') {
          if (key === 'citation') delete metadata.citation;
          else metadata[key] = '';
        } else metadata[key] = String(v);
        return { ...d, metadata };
      },
      { coalesce: `meta:${key}`, graph: false },
    );
  const setTraining = (patch: (t: HnetDocument['training']) => HnetDocument['training'], key: string) =>
    apply((d) => ({ ...d, training: patch(d.training) }), { coalesce: `training:${key}` });
  const t = doc.training;
  const opt = t.optimizer;
  const optOption = Optimizer.options.find((o) => o.shape.type.value === opt.type);

  return (
    <div className="hn-inspector__body">
      <header className="hn-inspector__head">
        <span className="hn-chip">Document</span>
        <h2>{doc.metadata.name || 'Untitled'}</h2>
        <div className="hn-inspector__id">
          {doc.nodes} node{doc.nodes === 1 ? '' : 's'} · {doc.edges} wire{doc.edges === 1 ? '' : 's'}
        </div>
      </header>
      <Section title="Document">
        <TextField
          label="Name"
          value={doc.metadata.name}
          format={(v) => String(v ?? '')}
          parse={(x) => checkWith(metadataShape.name, x)}
          commit={(v) => setMeta('name', v)}
          testId="doc-name"
        />
        <TextField
          label="Description"
          value={doc.metadata.description}
          format={(v) => String(v ?? '')}
          parse={(x) => checkWith(metadataShape.description, x)}
          commit={(v) => setMeta('description', v)}
          multiline
          testId="doc-description"
        />
        <TextField
          label="Citation"
          help="The paper this graph reproduces, if any."
          value={doc.metadata.citation ?? ''}
          format={(v) => String(v ?? '')}
          parse={(x) => checkWith(metadataShape.citation, x === '' ? undefined : x)}
          commit={(v) => setMeta('citation', v)}
          multiline
          testId="doc-citation"
        />
        {doc.metadata.result && (
          <div className="hn-field">
            <label>Result</label>
            <p className="hn-doc">{doc.metadata.result}</p>
          </div>
        )}
      </Section>
      <Section title="Training">
        <SelectField
          label="Optimizer"
          value={opt.type}
          options={Optimizer.options.map((o) => o.shape.type.value)}
          commit={(type) =>
            setTraining((tr) => ({ ...tr, optimizer: Optimizer.parse({ type, learningRate: tr.optimizer.learningRate }) }), 'optimizer')
          }
          testId="training-optimizer"
        />
        <TextField
          label="Learning rate"
          value={opt.learningRate}
          format={(v) => (v === undefined ? '' : String(v))}
          parse={(x) => {
            const n = Number(x.trim());
            if (x.trim() === '' || !Number.isFinite(n)) return { ok: false, error: 'needs a number, e.g. 0.001' };
            return checkWith(optOption?.shape.learningRate ?? trainingShape.batchSize, n);
          }}
          commit={(v) => setTraining((tr) => ({ ...tr, optimizer: { ...tr.optimizer, learningRate: v as number } }), 'lr')}
          inputMode="decimal"
          testId="training-lr"
        />
        <TextField
          label="Batch size"
          value={t.batchSize}
          format={(v) => String(v ?? '')}
          parse={(x) => parseFieldText({ kind: 'integer', optional: false, schema: trainingShape.batchSize }, x)}
          commit={(v) => setTraining((tr) => ({ ...tr, batchSize: v as number }), 'batch')}
          inputMode="numeric"
          testId="training-batch"
        />
        <TextField
          label="Steps"
          help="Steps per task. Empty: train for epochs instead."
          value={t.steps}
          format={(v) => (v === undefined ? '' : String(v))}
          parse={(x) => parseFieldText({ kind: 'integer', optional: true, schema: trainingShape.steps }, x)}
          commit={(v) =>
            setTraining((tr) => {
              const next = { ...tr };
              if (v === undefined) delete next.steps;
              else next.steps = v as number;
              return next;
            }, 'steps')
          }
          inputMode="numeric"
          placeholder="e.g. 2000"
          testId="training-steps"
        />
        <TextField
          label="Seed"
          help="The same seed repeats a run."
          value={t.seed}
          format={(v) => String(v ?? '')}
          parse={(x) => parseFieldText({ kind: 'integer', optional: false, schema: trainingShape.seed }, x)}
          commit={(v) => setTraining((tr) => ({ ...tr, seed: v as number }), 'seed')}
          inputMode="numeric"
          testId="training-seed"
        />
        <SelectField
          label="Backend"
          help="Where training runs: auto picks the fastest tfjs backend (webgpu on a GPU, else the CPU); pytorch trains the PyTorch export in Python (needs torch)."
          value={t.backend}
          options={Backend.options}
          commit={(v) => setTraining((tr) => ({ ...tr, backend: Backend.parse(v) }), 'backend')}
          testId="training-backend"
        />
      </Section>
      <p className="hn-muted hn-inspector__tip">Select a node to edit its parameters.</p>
    </div>
  );
}
