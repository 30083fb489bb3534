// Thinking and tool blocks of an agent reply: collapsible thinking, tool calls with their
// inputs (shell commands, edits as diffs, file paths, todo lists, key/value otherwise) and
// their results merged in; three or more steps in a row fold into one "process" section.
import { useState } from 'react';
import type { Chunk } from '../state/types';
import { useT } from '../i18n';

interface Step {
  kind: 'thinking' | 'tool' | 'error';
  text?: string;
  toolName?: string;
  input?: Record<string, unknown> | null;
  raw?: string;
  result?: string;
}

function parseToolUse(c: Chunk): { name: string; input: Record<string, unknown> | null; raw: string } {
  const name = String(c.metadata?.toolName ?? 'tool');
  try {
    const parsed = JSON.parse(c.content) as { name?: string; input?: Record<string, unknown> };
    if (parsed && typeof parsed === 'object') return { name: parsed.name ?? name, input: (parsed.input ?? parsed) as Record<string, unknown>, raw: c.content };
  } catch {
    /* not JSON */
  }
  return { name, input: null, raw: c.content };
}

/** Turns chunks into display steps: tool results attach to their call (by toolId). */
export function toSteps(chunks: Chunk[]): { steps: Step[]; text: string } {
  const steps: Step[] = [];
  const byToolId = new Map<string, Step>();
  let text = '';
  for (const c of chunks) {
    if (c.type === 'text') text += c.content;
    else if (c.type === 'thinking') {
      const last = steps[steps.length - 1];
      if (last?.kind === 'thinking') last.text += c.content;
      else steps.push({ kind: 'thinking', text: c.content });
    } else if (c.type === 'tool_use') {
      const p = parseToolUse(c);
      const step: Step = { kind: 'tool', toolName: p.name, input: p.input, raw: p.raw };
      steps.push(step);
      const id = c.metadata?.toolId;
      if (typeof id === 'string') byToolId.set(id, step);
    } else if (c.type === 'tool_result') {
      const id = c.metadata?.toolId;
      const step = typeof id === 'string' ? byToolId.get(id) : undefined;
      if (step) step.result = (step.result ?? '') + c.content;
      else steps.push({ kind: 'tool', toolName: String(c.metadata?.toolName ?? 'result'), result: c.content });
    } else if (c.type === 'error') steps.push({ kind: 'error', text: c.content });
  }
  return { steps, text };
}

function clip(s: string, n = 4000) {
  return s.length > n ? s.slice(0, n) + '\n…' : s;
}

function ToolInput({ name, input, raw }: { name: string; input: Record<string, unknown> | null; raw?: string }) {
  const t = useT();
  if (!input) return raw ? <pre className="tool-pre">{clip(raw)}</pre> : null;
  const str = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
  const lower = name.toLowerCase();
  if (str('command') && (lower === 'bash' || lower.includes('shell') || lower.includes('exec'))) return <pre className="tool-pre tool-shell">$ {clip(str('command')!)}</pre>;
  if (str('old_string') !== undefined && str('new_string') !== undefined) {
    return (
      <div>
        {str('file_path') && <div className="tool-path">{str('file_path')}</div>}
        <pre className="tool-pre diff">
          {clip(str('old_string')!).split('\n').map((l, i) => <span key={`o${i}`} className="diff-del">- {l}{'\n'}</span>)}
          {clip(str('new_string')!).split('\n').map((l, i) => <span key={`n${i}`} className="diff-add">+ {l}{'\n'}</span>)}
        </pre>
      </div>
    );
  }
  if (Array.isArray(input.todos)) {
    return (
      <ul className="todo-list" aria-label={t('chat.todoList')}>
        {(input.todos as { content?: string; status?: string }[]).slice(0, 50).map((todo, i) => (
          <li key={i} className={`todo-${todo.status ?? 'pending'}`}>
            <span aria-hidden="true">{todo.status === 'completed' ? '☑' : todo.status === 'in_progress' ? '◐' : '☐'}</span> {String(todo.content ?? '')}
          </li>
        ))}
      </ul>
    );
  }
  if (str('content') !== undefined && str('file_path')) {
    return (
      <div>
        <div className="tool-path">{str('file_path')}</div>
        <pre className="tool-pre">{clip(str('content')!, 2000)}</pre>
      </div>
    );
  }
  return (
    <dl className="tool-kv">
      {Object.entries(input)
        .slice(0, 12)
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{clip(typeof v === 'string' ? v : JSON.stringify(v), 500)}</dd>
          </div>
        ))}
    </dl>
  );
}

function StepView({ step, open }: { step: Step; open?: boolean }) {
  const t = useT();
  if (step.kind === 'thinking') {
    return (
      <details className="step step-thinking" open={open}>
        <summary>{t('chat.thinking')}</summary>
        <pre className="thinking-text">{clip(step.text ?? '', 8000)}</pre>
      </details>
    );
  }
  if (step.kind === 'error') {
    return (
      <div className="step step-error" role="note">
        {step.text}
      </div>
    );
  }
  // One line that says what the call does: the command, file, pattern, address, query or task.
  const key = ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description', 'prompt'].find((k) => typeof step.input?.[k] === 'string');
  const summary = key ? String(step.input![key]).slice(0, 100) : '';
  return (
    <details className="step step-tool" open={open}>
      <summary>
        <span className="tool-name">{step.toolName}</span> <span className="tool-summary">{summary}</span>
        {step.result === undefined && <span className="muted small"> · {t('chat.running')}</span>}
      </summary>
      <ToolInput name={step.toolName ?? ''} input={step.input ?? null} raw={step.raw} />
      {step.result !== undefined && (
        <>
          <div className="tool-result-label">{t('chat.toolResult')}</div>
          <pre className="tool-pre">{clip(step.result)}</pre>
        </>
      )}
    </details>
  );
}

export function ChunkBlocks({ chunks, live }: { chunks: Chunk[]; live?: boolean }) {
  const t = useT();
  const [expanded, setExpanded] = useState(false);
  const { steps } = toSteps(chunks);
  if (!steps.length) return null;
  if (steps.length >= 3 && !live) {
    return (
      <details className="process" open={expanded} onToggle={(e) => setExpanded((e.target as HTMLDetailsElement).open)}>
        <summary>{t('chat.process', { n: steps.length })}</summary>
        {expanded && steps.map((s, i) => <StepView key={i} step={s} />)}
      </details>
    );
  }
  return (
    <div className="steps">
      {steps.map((s, i) => (
        <StepView key={i} step={s} open={live && i === steps.length - 1 && s.kind !== 'thinking' ? false : undefined} />
      ))}
    </div>
  );
}
