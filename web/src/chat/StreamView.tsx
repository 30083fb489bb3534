// A reply being streamed: thinking/tool steps, the text so far (last 8000 characters), a
// status line (thinking / using a tool / responding) and Stop.
import type { LiveStream } from '../state/types';
import { streamPhase, streamText } from '../state/roomState';
import { ChunkBlocks } from './ChunkBlocks';
import { Markdown } from './Markdown';
import { Avatar } from './Avatar';
import { stopGeneration } from './chatStore';
import { useT } from '../i18n';

export function StreamView({ stream, roomId }: { stream: LiveStream; roomId: string }) {
  const t = useT();
  const phase = streamPhase(stream);
  const text = streamText(stream);
  return (
    <article className="message message-agent streaming" aria-busy="true" aria-label={t('chat.streamingFrom', { name: stream.agentName })}>
      <div className="message-gutter">
        <Avatar name={stream.agentName} agent />
      </div>
      <div className="message-main">
        <div className="message-head">
          <span className="sender">{stream.agentName}</span>
          <span className="stream-status" role="status">
            <span className="pulse" aria-hidden="true" /> {t(`chat.phase.${phase}`)}
          </span>
          <button type="button" className="btn btn-secondary btn-sm stop-btn" onClick={() => stopGeneration(roomId, stream.agentId)}>
            {t('chat.stop')}
          </button>
        </div>
        <ChunkBlocks chunks={stream.chunks.filter((c) => c.type !== 'text')} live />
        {text && <Markdown text={text} live />}
        {stream.truncated && <p className="muted small">{t('chat.streamTruncated')}</p>}
      </div>
    </article>
  );
}
