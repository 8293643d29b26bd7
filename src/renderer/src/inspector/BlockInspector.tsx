/**
 * The inspector of a block: its name and description, the inner parameters promoted to it (edited here, kept in
 * the inner nodes), its ports (renamed, removed, or added from the ports of the nodes inside), and the block's
 * actions (open, ungroup, save to the library). And, for a node inside a block, the section that chooses which
 * of its parameters the block shows.
 */
import { useState } from 'react';
import { problemNode } from '../../../shared/compiler/errors';
import { blockTree, specOf, type PortSide } from '../../../shared/document/blocks';
import type { NodeType } from '../../../shared/nodes';
import { portsOf } from '../canvas/level';
import { fitView } from '../canvas/view';
import { deleteSelection, saveBlockToLibrary, ungroup } from '../commands';
import { addBlockPort, portNameProblem, removeBlockPort, renameBlockPort, togglePromoted, unexposedPorts, updateBlock } from '../store/blockOps';
import { getNodeType, nodeInfo, paramFields } from '../store/catalog';
import { useCompiled } from '../store/compiled';
import { setLabel, setParam } from '../store/docOps';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { TextField, type Parsed } from './Field';
import { ParamInput, ProblemLines, Section } from './Inspector';

const SIDE_WORD: Record<PortSide, string> = { inputs: 'Inputs', outputs: 'Outputs' };

export function BlockInspector({ id }: { id: string }) {
  const doc = useEditor((s) => s.doc);
  const apply = useEditor((s) => s.apply);
  const compiled = useCompiled();
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) return null;
  const spec = specOf(node);
  const tree = blockTree(doc.nodes);
  const inside = tree.descendants(id);
  const problems = [...inside].flatMap((n) => compiled.byNode.get(n) ?? []).concat(compiled.byNode.get(id) ?? []);
  const open = () => {
    useEditor.getState().enterBlock(id);
    requestAnimationFrame(() => fitView(undefined, false));
  };
  const save = () => saveBlockToLibrary(id).catch((e) => useUi.getState().notify('error', `Could not save the block: ${e instanceof Error ? e.message : String(e)}`));

  return (
    <div className="hn-inspector__body" data-testid="block-inspector">
      <header className="hn-inspector__head cat-block">
        <span className="hn-chip">Block</span>
        <h2>{node.label ?? 'Block'}</h2>
        <div className="hn-inspector__id">
          <code>{id}</code> · {inside.size} node{inside.size === 1 ? '' : 's'} inside
        </div>
      </header>

      <ProblemLines problems={problems} where={(p) => (p.node ? `${problemNode(p)}${p.port ? `.${p.port}` : ''}` : undefined)} />

      <Section title="Block">
        <TextField
          label="Name"
          value={node.label ?? ''}
          format={(v) => String(v ?? '')}
          parse={(t): Parsed => (t.trim() === '' ? { ok: false, error: 'a block needs a name' } : t.length > 200 ? { ok: false, error: 'must be at most 200 characters' } : { ok: true, value: t })}
          commit={(v) => apply((d) => setLabel(d, id, String(v)), { coalesce: `label:${id}`, graph: false })}
          testId="block-name"
        />
        <TextField
          label="Description"
          value={spec.description}
          format={(v) => String(v ?? '')}
          parse={(t): Parsed => (t.length > 20_000 ? { ok: false, error: 'must be at most 20,000 characters' } : { ok: true, value: t })}
          commit={(v) => apply((d) => updateBlock(d, id, (s) => ({ ...s, description: String(v) })), { coalesce: `desc:${id}`, graph: false })}
          multiline
          testId="block-description"
        />
      </Section>

      <Section title="Parameters">
        {spec.promoted.length === 0 && (
          <p className="hn-muted">No parameters shown here yet. Open the block, select a node and tick “Show on the block” for the parameters to edit from here.</p>
        )}
        {spec.promoted.map((p) => {
          const inner = tree.byId.get(p.node);
          const type = inner ? getNodeType(inner.type) : undefined;
          const field = type && paramFields(type).find((f) => f.key === p.param);
          if (!inner || !field) return null;
          return (
            <div key={`${p.node}.${p.param}`} className="hn-promoted" data-testid={`promoted-${p.node}-${p.param}`}>
              <ParamInput
                field={{ ...field, label: p.label ?? `${field.label} (${p.node})` }}
                value={(inner.params ?? {})[p.param] ?? nodeInfo(inner).params[p.param]}
                commit={(key, v) => apply((d) => setParam(d, p.node, key, v), { coalesce: `param:${p.node}:${key}` })}
              />
            </div>
          );
        })}
      </Section>

      {(['inputs', 'outputs'] as const).map((side) => (
        <PortsSection key={side} id={id} side={side} />
      ))}

      <div className="hn-inspector__actions">
        <button type="button" className="hn-btn" onClick={open} data-testid="block-open">
          Open block
        </button>
        <button type="button" className="hn-btn" onClick={() => ungroup(id)} data-testid="block-ungroup">
          Ungroup
        </button>
        <button type="button" className="hn-btn" onClick={() => void save()} data-testid="block-save-library">
          Save to library
        </button>
        <button type="button" className="hn-btn hn-btn--danger" onClick={deleteSelection}>
          Delete block
        </button>
      </div>
    </div>
  );
}

function PortsSection({ id, side }: { id: string; side: PortSide }) {
  const doc = useEditor((s) => s.doc);
  const apply = useEditor((s) => s.apply);
  const [adding, setAdding] = useState('');
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) return null;
  const ports = specOf(node)[side];
  const free = unexposedPorts(doc, id, side, (n) => (side === 'inputs' ? portsOf(doc.nodes, n).inputs : portsOf(doc.nodes, n).outputs).map((p) => p.name));
  const word = side === 'inputs' ? 'input' : 'output';
  return (
    <Section title={SIDE_WORD[side]}>
      {ports.length === 0 && <p className="hn-muted">No {word}s.</p>}
      <table className="hn-ports">
        <tbody>
          {ports.map((p) => (
            <tr key={p.name} data-testid={`block-port-${side}-${p.name}`}>
              <td>
                <TextField
                  label=""
                  value={p.name}
                  format={(v) => String(v ?? '')}
                  parse={(t): Parsed => {
                    const why = portNameProblem(useEditor.getState().doc, id, side, p.name, t.trim());
                    return why ? { ok: false, error: why } : { ok: true, value: t.trim() };
                  }}
                  commit={(v) => apply((d) => renameBlockPort(d, id, side, p.name, String(v)))}
                  testId={`block-port-name-${side}-${p.name}`}
                />
              </td>
              <td className="hn-ports__note">
                {p.node}.{p.port}
              </td>
              <td>
                <button
                  type="button"
                  className="hn-link"
                  title={`Remove this ${word}; wires through it are removed too`}
                  onClick={() => apply((d) => removeBlockPort(d, id, side, p.name))}
                  data-testid={`block-port-remove-${side}-${p.name}`}
                >
                  remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {free.length > 0 && (
        <div className="hn-field hn-block-add">
          <select value={adding} onChange={(e) => setAdding(e.target.value)} aria-label={`Add an ${word}`} data-testid={`block-port-add-${side}`}>
            <option value="">Add an {word}…</option>
            {free.map((f) => (
              <option key={`${f.node}.${f.port}`} value={`${f.node}.${f.port}`}>
                {f.node}.{f.port}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="hn-btn"
            disabled={!adding}
            onClick={() => {
              const [n, port] = adding.split('.');
              apply((d) => addBlockPort(d, id, side, { node: n, port }));
              setAdding('');
            }}
            data-testid={`block-port-add-${side}-button`}
          >
            Add
          </button>
        </div>
      )}
    </Section>
  );
}

/** For a node inside a block: which of its parameters the block (each block around it) shows in its inspector. */
export function PromoteSection({ id, type }: { id: string; type: NodeType }) {
  const doc = useEditor((s) => s.doc);
  const apply = useEditor((s) => s.apply);
  const tree = blockTree(doc.nodes);
  const blocks = tree.ancestors(id);
  if (!blocks.length) return null;
  const block = tree.byId.get(blocks[0])!;
  const promoted = new Set(specOf(block).promoted.filter((p) => p.node === id).map((p) => p.param));
  const fields = paramFields(type);
  if (!fields.length) return null;
  return (
    <Section title={`Show on the block “${block.label ?? block.id}”`}>
      <div className="hn-promote-list">
        {fields.map((f) => (
          <label key={f.key} className="hn-check">
            <input
              type="checkbox"
              checked={promoted.has(f.key)}
              onChange={() => apply((d) => togglePromoted(d, block.id, id, f.key), { graph: false })}
              data-testid={`promote-${f.key}`}
            />
            {f.label}
          </label>
        ))}
      </div>
    </Section>
  );
}
