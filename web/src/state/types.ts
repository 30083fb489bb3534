// Wire shapes the chat state works with (websocket.md §4, http-api.md §16), plus local fields.

export type SenderType = 'user' | 'agent' | 'system';
export type ChunkType = 'text' | 'thinking' | 'tool_use' | 'tool_result' | 'error' | 'workspace_status';

export interface Chunk {
  type: ChunkType;
  content: string;
  metadata?: Record<string, unknown>;
}

export interface Attachment {
  id: string;
  messageId: string;
  filename: string;
  mimeType: string;
  size: number;
  url: string;
}

export interface Reaction {
  emoji: string;
  userIds: string[];
  usernames: string[];
}

export interface Message {
  id: string;
  roomId: string;
  senderId: string;
  senderType: SenderType;
  senderName: string;
  type: 'text' | 'system' | 'agent_response' | 'terminal';
  content: string;
  replyToId?: string | null;
  mentions: string[];
  attachments?: Attachment[];
  reactions?: Reaction[];
  chunks?: Chunk[];
  createdAt: string;
  updatedAt?: string | null;
  /** room sequence number from our hub (absent on the original's) */
  seq?: number;
  /** the sender's id for the send, echoed by our hub on the socket frames announcing it (never in REST) */
  clientMessageId?: string;
  /** set on a message typed here and not yet confirmed by the hub */
  local?: { clientMessageId: string; status: 'queued' | 'sending' | 'failed' };
}

export interface UnsentMessage {
  clientMessageId: string;
  roomId: string;
  content: string;
  replyToId?: string;
  attachmentIds?: string[];
  attachments?: Attachment[];
  senderId: string;
  senderName: string;
  createdAt: string;
}

export interface LiveStream {
  roomId: string;
  agentId: string;
  agentName: string;
  messageId: string;
  chunks: Chunk[];
  /** number of chunk frames received (the cap counts frames, not merged chunks) */
  frames: number;
  truncated: boolean;
  startedAt: number;
  updatedAt: number;
}

export interface PendingApproval {
  requestId: string;
  agentId: string;
  agentName: string;
  roomId: string;
  toolName: string;
  toolInput: Record<string, unknown>;
  expiresAt: string;
  status: 'pending' | 'expired' | 'answered';
  decision?: 'allow' | 'allowAlways' | 'deny';
}

export interface TypingEntry {
  userId: string;
  username: string;
  until: number;
}

export interface RoomState {
  roomId: string;
  /** ordered by seq (createdAt where a seq is missing); unique ids */
  messages: Message[];
  /** highest seq of a stored message seen in this room */
  lastSeq: number;
  loaded: boolean;
  hasMore: boolean;
  nextCursor?: string;
  /** the hub said our replay would be too long: reload history */
  needsReload: boolean;
  /** one live stream per agent */
  streams: Record<string, LiveStream>;
  typing: Record<string, TypingEntry>;
  /** userId → lastReadAt */
  reads: Record<string, { username: string; lastReadAt: string }>;
}

export interface ChatState {
  rooms: Record<string, RoomState>;
  approvals: Record<string, PendingApproval>;
  /** agents seen offline/error since (ms), for expiring their streams */
  agentDownSince: Record<string, number>;
}
