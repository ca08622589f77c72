/**
 * Delivered messages as chart events: a request by its command name; a response either as
 * `response` ({@link messageEventByCommand}) or by the exchange it answers
 * ({@link messageEventByExchange}), for charts that name the replies they wait for.
 *
 * @module
 */
import type { Message, RemoteRequest, RemoteResponse } from './network.js';

/** A delivered message as an event. */
export interface MessageEvent {
  readonly type: string;
  readonly msg: Message;
}

export const requestOf = (e: { readonly msg?: Message }): RemoteRequest => e.msg as RemoteRequest;
export const responseOf = (e: { readonly msg?: Message }): RemoteResponse => e.msg as RemoteResponse;

/**
 * The event of delivering `msg`: a request is named by its command; a response by the suffix of
 * its exchange id after the last `:` with digits stripped (`mig1:clone2` → `clone`,
 * `client0:more1` → `more`), so each chart names the replies it waits for.
 */
export function messageEventByExchange(msg: Message): MessageEvent {
  if (msg.kind === 'request') return { type: msg.cmd.name, msg };
  const suffix = msg.id.slice(msg.id.lastIndexOf(':') + 1).replace(/\d+$/, '');
  return { type: suffix, msg };
}

/** The event of delivering `msg`: a request is named by its command, every response `response`. */
export function messageEventByCommand(msg: Message): MessageEvent {
  return { type: msg.kind === 'request' ? msg.cmd.name : 'response', msg };
}
