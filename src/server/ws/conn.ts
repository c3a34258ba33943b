// A client connection and what a flush carries to clients: the types the WebSocket pieces share.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Classroom } from '../../live/classroom.ts';
import type { Principal } from '../hub.ts';

/** A channel a client asked for, as it names it and as it is kept (a student's `private` is `private:<id>`). */
export interface SnapshotWanted {
  readonly shown: string;
  readonly named: string;
}

export interface Conn {
  readonly ws: WebSocket;
  /** Who it counts against: the remote address, and the principal's identity (limits.ts identityKey). */
  readonly address: string;
  readonly identity: string;
  /** The ws client's own socket: corked during a flush, and written to with whole frames. */
  readonly socket: Socket;
  readonly room: Classroom;
  readonly principal: Principal | null;
  readonly channels: Set<string>;
  /** Channels subscribed since the last flush: the next flush sends them a snapshot, not its messages. */
  readonly fresh: Set<string>;
  /** Answers and snapshots for the next flush, in order. */
  out: (string | SnapshotWanted)[];
  /** Bytes written to the socket; bytes the client has confirmed reading (the count its last pong carried). */
  sentBytes: number;
  readBytes: number;
  /** Unanswered pings, oldest first: the byte count each carried and when it went out (the server's clock). */
  readonly probes: { bytes: number; at: number }[];
  /** When the last ping went out, and the count it carried. */
  lastProbeAt: number;
  lastProbeBytes: number;
  /** The flush that last looked at this client, and whether it may be written to in it. */
  flushNo: number;
  writable: boolean;
  /** The client's messages this second (its rate limit). */
  windowStart: number;
  windowCount: number;
}

/** One channel message of a flush: its frame, who gets it (fixed when the message is built) and its classroom. */
export interface Outgoing {
  readonly frame: Buffer;
  readonly to: Conn[];
  readonly room: Classroom;
}

/**
 * A frame for one client. Answers (acks, errors, pongs, heartbeats, subscription confirmations) show nothing a crash
 * could take back (an ok ack is sent only once its command is durable); a snapshot shows the state now, so it is
 * held back, like the channel messages, when the flush's hook fails.
 */
export interface DirectFrame {
  readonly frame: Buffer;
  readonly shows: boolean;
}

export interface Batch {
  readonly direct: [Conn, DirectFrame[]][];
  readonly messages: Outgoing[];
  /** Stale classrooms this flush sends fresh snapshots of (stale again if they are held back). */
  readonly resynced: Classroom[];
}

export interface StreamStats {
  clients: number;
  dropped: number;
  /** Flushes that wrote something, the time spent in them (building and writing; ms) and the longest. */
  flushes: number;
  flushMs: number;
  maxFlushMs: number;
  /** Frames and bytes written, all clients. */
  frames: number;
  bytes: number;
}
