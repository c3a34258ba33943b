// The one table of error codes: every code a client can be sent, with the form of its message and its HTTP status.
// The core (engine, market, classroom) returns codes and sentences; only the server gives them a status, from here.
// Every error body is {"error": {"code", "message"}}; the message is the core's own sentence, in CNY and exchange
// time, of the form given here ({braces}: what it fills in). docs/errors.md is generated from this table and checked
// against it (test/unit/server/errors.test.ts), as is every code the code base can emit.
import type { LiveCode } from '../live/errors.ts';
import type { MarketCode } from '../market/errors.ts';

export interface ErrorEntry {
  readonly status: number;
  /** The form of the message ({braces}: the values it names). */
  readonly message: string;
}

const e = (status: number, message: string): ErrorEntry => ({ status, message });

/** The server's own: requests, tokens, limits, the journal. */
const SERVER = {
  BAD_REQUEST: e(400, 'the request is malformed: {where} {what}'),
  UNAUTHORIZED: e(401, 'a token is needed, or the one given is unknown or revoked'),
  FORBIDDEN: e(403, 'this needs another role (student, instructor, admin)'),
  NOT_FOUND: e(404, 'no such route, classroom or join code'),
  REQUEST_TIMEOUT: e(408, 'the request took too long to arrive'),
  CONFLICT: e(409, 'classroom {id} exists'),
  PAYLOAD_TOO_LARGE: e(413, 'the body is larger than {limit} bytes'),
  UNSUPPORTED_MEDIA_TYPE: e(415, 'a body is JSON (application/json)'),
  RATE_LIMITED: e(429, 'too many requests; try again in {seconds} s'),
  TOO_MANY_CONNECTIONS: e(429, 'at most {n} WebSocket connections from one address or token'),
  TOO_MANY_SUBSCRIPTIONS: e(429, 'at most {n} channels on one connection'),
  HEADERS_TOO_LARGE: e(431, 'the request headers are too large'),
  INTERNAL: e(500, 'something went wrong on the server; it is logged'),
  JOURNAL_ERR_WRITE: e(503, 'the server cannot record changes ({why}); nothing was done'),
} as const;

/** The classroom's (src/live/errors.ts): lookups 404, malformed 400, the classroom's state 409. */
const LIVE: Record<LiveCode, ErrorEntry> = {
  LIVE_ERR_NOT_RUNNING: e(409, 'the market is paused, or not open yet'),
  LIVE_ERR_ENDED: e(409, 'the classroom has ended'),
  LIVE_ERR_BAD_STATE: e(409, 'the classroom is {state}, not {wanted}'),
  LIVE_ERR_UNKNOWN_MARKET: e(404, 'this classroom has no market "{market}"'),
  LIVE_ERR_UNKNOWN_ORDER: e(404, 'you have no order {orderId}'),
  LIVE_ERR_UNKNOWN_PROPOSAL: e(404, 'you have no proposal {proposalId}'),
  LIVE_ERR_UNKNOWN_STUDENT: e(404, 'there is no student {studentId}'),
  LIVE_ERR_UNKNOWN_EVENT: e(404, 'there is no timeline event {index}'),
  LIVE_ERR_EVENT_DONE: e(409, 'timeline event {index} has happened already ({date}); it cannot be fired again'),
  LIVE_ERR_UNKNOWN_AUCTION: e(404, 'there is no auction {auctionId}'),
  LIVE_ERR_UNKNOWN_BID: e(404, 'you have no bid {bidId} in auction {auctionId}'),
  LIVE_ERR_FULL: e(409, 'the classroom is full'),
  LIVE_ERR_DUPLICATE_CLIENT_ORDER_ID: e(409, 'you already have a resting order with client order id "{id}"'),
  LIVE_ERR_DUPLICATE_NAME: e(409, '"{name}" is taken in this classroom'),
  LIVE_ERR_BAD_INPUT: e(400, '{what} is not valid: {why}'),
};

/** The market's rules (src/market/errors.ts): lookups 404, every rule 422. */
const MARKET: Record<(typeof MarketCode)[keyof typeof MarketCode], ErrorEntry> = {
  MKT_ERR_BAD_INPUT: e(422, '{what} is not valid'),
  MKT_ERR_UNKNOWN_ACCOUNT: e(404, 'there is no account {accountId}'),
  MKT_ERR_UNKNOWN_INSTRUMENT: e(404, '{market} lists no {instrument}'),
  MKT_ERR_UNKNOWN_MARKET: e(404, 'there is no market {market}'),
  MKT_ERR_UNKNOWN_ORDER: e(404, 'there is no order {orderId}'),
  MKT_ERR_UNKNOWN_PROPOSAL: e(404, 'there is no proposal {proposalId}'),
  MKT_ERR_UNKNOWN_AUCTION: e(404, 'there is no auction {auctionId}'),
  MKT_ERR_UNKNOWN_ENTITY: e(404, 'there is no covered firm {entityId}'),
  MKT_ERR_UNKNOWN_PROJECT: e(404, 'there is no project {projectId}'),
  MKT_ERR_UNKNOWN_REPO: e(404, 'there is no repo {repoId}'),
  MKT_ERR_DUPLICATE_ID: e(422, '{id} exists already'),
  MKT_ERR_NOT_ELIGIBLE: e(422, '{account} may not trade {mode} here'),
  MKT_ERR_NOT_OWNER: e(422, '{what} is not yours'),
  MKT_ERR_NOT_TRADING_DAY: e(422, '{date} is not a trading day'),
  MKT_ERR_SESSION_CLOSED: e(422, '{mode} trading is closed now (sessions {sessions})'),
  MKT_ERR_MODE_NOT_OFFERED: e(422, '{market} offers no {mode} trading'),
  MKT_ERR_INSUFFICIENT_CASH: e(422, '{need} CNY needed, {available} CNY available'),
  MKT_ERR_INSUFFICIENT_ALLOWANCES: e(422, '{need} t needed, {available} t available'),
  MKT_ERR_RESALE_LOCKED: e(422, 'allowances bought today can be sold from {date}'),
  MKT_ERR_OVERFLOW: e(422, 'the amount is too large'),
  MKT_ERR_ORDER_REJECTED: e(422, 'the order is refused: {why}'),
  MKT_ERR_PRICE_OUTSIDE_BAND: e(422, '{price} CNY is outside the band ({low}-{high} CNY)'),
  MKT_ERR_NO_REFERENCE_PRICE: e(422, 'there is no reference price yet'),
  MKT_ERR_BELOW_BLOCK_MINIMUM: e(422, 'a block trade is at least {min} t'),
  MKT_ERR_SELF_DEAL: e(422, 'you cannot trade with yourself'),
  MKT_ERR_PROPOSAL_CLOSED: e(422, 'proposal {proposalId} is {status}'),
  MKT_ERR_AUCTION_CLOSED: e(422, 'auction {auctionId} is closed'),
  MKT_ERR_AUCTION_NOT_ENDED: e(422, 'auction {auctionId} is still open'),
  MKT_ERR_AUCTION_WITHDRAWN: e(422, 'auction {auctionId} was withdrawn'),
  MKT_ERR_REPO_CLOSED: e(422, 'repo {repoId} is {status}'),
  MKT_ERR_REPO_NOT_DUE: e(422, 'repo {repoId} is due on {date}'),
  MKT_ERR_NOT_USABLE_FOR_COMPLIANCE: e(422, '{instrument} cannot be surrendered for {cycle}'),
  MKT_ERR_OFFSET_CAP_EXCEEDED: e(422, 'offsets are capped at {cap} t'),
  MKT_ERR_DEADLINE_PASSED: e(422, 'the deadline {date} has passed'),
  MKT_ERR_ALREADY_SETTLED: e(422, '{cycle} is settled already'),
  MKT_ERR_DOUBLE_CLAIM: e(422, '{project} was claimed as a green certificate already'),
  MKT_ERR_AUCTION_NOT_OPEN: e(422, 'auction {auctionId} takes no bids now'),
  MKT_ERR_RESERVE_NOT_MET: e(422, 'a bid is at least the reserve of {reserve} CNY'),
  MKT_ERR_BELOW_AUCTION_MINIMUM: e(422, 'a bid is at least {min} t'),
  MKT_ERR_PRICE_OFF_TICK: e(422, '{price} CNY is not on the tick ({tick} CNY)'),
  MKT_ERR_QTY_OFF_LOT: e(422, '{qty} t is not a whole number of lots ({lot} t)'),
  MKT_ERR_UNKNOWN_CYCLE: e(404, 'there is no compliance cycle {cycle}'),
  MKT_ERR_NOT_VERIFIED: e(422, '{entity} has no verified emissions for {year}'),
  MKT_ERR_EXCEEDS_OBLIGATION: e(422, '{qty} t is more than is owed ({owed} t)'),
  MKT_ERR_DEADLINE_NOT_REACHED: e(422, 'the deadline {date} is still ahead'),
  MKT_ERR_NOT_SETTLED: e(422, '{cycle} is not settled yet'),
  MKT_ERR_MULTIPLE_OUT_OF_RANGE: e(422, 'the multiple {x} is out of range'),
};

/** The order book's own checks (src/engine/codes.ts), passed on by the listed desk: lookups 404, rules 422. */
const ENGINE = {
  ENG_BAD_TIME: e(422, 'the order has no valid time'),
  ENG_TIME_BACKWARDS: e(422, 'the order is older than the book'),
  ENG_BAD_ORDER_ID: e(422, 'the order id is not valid'),
  ENG_DUPLICATE_ORDER_ID: e(422, 'an order with this id exists'),
  ENG_BAD_ACCOUNT: e(422, 'the account is not valid'),
  ENG_BAD_SIDE: e(422, 'the side is neither buy nor sell'),
  ENG_BAD_TIF: e(422, 'the time in force is not one the market takes'),
  ENG_BAD_STP: e(422, 'the self-trade rule is not valid'),
  ENG_BAD_PRICE: e(422, 'the price is not a positive amount'),
  ENG_BAD_QTY: e(422, 'the quantity is not a positive whole number of tonnes'),
  ENG_BAD_SESSION_STATE: e(422, 'the session state is not valid'),
  ENG_PRICE_OFF_TICK: e(422, 'the price {price} CNY is not on the tick ({tick} CNY)'),
  ENG_PRICE_ABOVE_BAND: e(422, 'the price {price} CNY is above today’s band ({low}-{high} CNY)'),
  ENG_PRICE_BELOW_BAND: e(422, 'the price {price} CNY is below today’s band ({low}-{high} CNY)'),
  ENG_QTY_OFF_LOT: e(422, '{qty} t is not a whole number of lots ({lot} t)'),
  ENG_QTY_BELOW_MIN: e(422, '{qty} t is below the least order ({min} t)'),
  ENG_QTY_ABOVE_MAX: e(422, '{qty} t is above the largest order ({max} t)'),
  ENG_NOTIONAL_OVERFLOW: e(422, 'the order is too large to value'),
  ENG_MARKET_TIF_NOT_ALLOWED: e(422, 'a market order must be IOC or FOK'),
  ENG_LEVEL_TOTAL_OVERFLOW: e(422, 'the price level would hold too much'),
  ENG_DAY_TURNOVER_OVERFLOW: e(422, 'the day’s turnover would overflow'),
  ENG_SESSION_CLOSED: e(422, 'the book is closed now (sessions {sessions})'),
  ENG_SESSION_HALTED: e(422, 'trading is halted'),
  ENG_SESSION_NOT_CLOSED: e(422, 'the session is still open'),
  ENG_UNKNOWN_ORDER: e(404, 'there is no order {orderId} in the book'),
  ENG_NOT_OWNER: e(422, 'order {orderId} is not yours'),
  ENG_AMEND_NO_CHANGE: e(422, 'the amend changes nothing'),
  ENG_TAKE_NOT_LISTED_MODE: e(422, 'this market does not list orders to take'),
  ENG_TAKE_BEYOND_DEPTH: e(422, 'listing {listingId} is not among the best levels'),
  ENG_TAKE_QTY_EXCEEDS_LISTING: e(422, '{qty} t is more than listing {listingId} holds'),
  ENG_TAKE_OWN_LISTING: e(422, 'listing {listingId} is your own'),
} as const;

/** Refusals of a classroom that cannot be made (its scenario or data), from POST /api/classrooms. */
const SETUP = {
  SIM_ERR_SCENARIO: e(422, 'scenario {id}: {problem}'),
  SIM_ERR_REGISTRY: e(422, 'the registry of covered firms: {problem}'),
  SIM_ERR_UNSUPPORTED: e(422, '{what} is not supported'),
  SIM_ERR_STATE: e(500, 'the simulation is in no state to {what}'),
  SIM_ERR_ARGS: e(400, '{argument}: {problem}'),
  SIM_ERR_REPLAY: e(422, 'the replay of {scenario}: {problem}'),
  MKT_ERR_CATALOGUE: e(500, 'the market catalogue: {file}: {field}: {problem}'),
  MKT_ERR_CALENDAR_RANGE: e(422, '{date} is outside the trading calendar'),
  ENG_ERR_CONFIG: e(500, 'engine config: {problem}'),
  ENG_ERR_SNAPSHOT: e(500, 'an engine snapshot does not form a sound book: {problem}'),
};

/** Managing classrooms from the instructor page (routes/admin.ts). */
const ADMIN = {
  ADMIN_ERR_DEFAULT_KEPT: e(409, 'the default classroom can be reset, not deleted'),
  ADMIN_ERR_BAD_BASE: e(400, '{base} is not an http:// or https:// address'),
} as const;

/** A classroom snapshot that does not restore: never sent (the server skips it and replays the journal); logged. */
const SNAPSHOT = {
  SNAP_ERR_FORMAT: e(500, 'the snapshot is not JSON, or of an unknown version'),
  SNAP_ERR_LAYOUT: e(500, 'the snapshot is of layout {layout}, this build reads {expected}'),
  SNAP_ERR_CLASS: e(500, 'the snapshot holds a {class}, a class the codec does not name'),
  SNAP_ERR_STATIC: e(500, 'the snapshot refers to static data this build lacks'),
  SNAP_ERR_TYPE: e(500, 'the snapshot holds a value of a type it cannot'),
  SNAP_ERR_WIRING: e(500, '{class}.{field} has no wiring to keep'),
} as const;

export const ERRORS: Readonly<Record<string, ErrorEntry>> = {
  ...SERVER,
  ...LIVE,
  ...MARKET,
  ...ENGINE,
  ...SETUP,
  ...SNAPSHOT,
  ...ADMIN,
};

/** HTTP status of a code (422, a rule of the market, for a code the table lacks: the errors test finds none). */
export function statusOf(code: string): number {
  return ERRORS[code]?.status ?? 422;
}

/** The table as Markdown (docs/errors.md is this text; the errors test keeps them equal). */
export function errorsMarkdown(): string {
  const rows = Object.entries(ERRORS)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, x]) => `| \`${code}\` | ${x.status} | ${x.message.replace(/\|/g, '\\|')} |`);
  return [
    '# Error codes',
    '',
    'Every refusal the server sends has the body `{"error": {"code", "message"}}` (over the WebSocket, inside an',
    '`ack` or `error` message). The message is a sentence for a person, in CNY and exchange time; the form below',
    'says what it names ({braces}). When the message has its form, the error carries `params` too, those values as',
    'text (`{"price": "150.00", "low": "89.58", "high": "109.48"}`), so a client can say the sentence in its own',
    'language (the trading page has a Chinese one for each code, web/locales/zh.json). The status is the HTTP status',
    'of the code: generated from `src/server/errors.ts`, the one table',
    '(`CETS_WRITE_DOCS=1 npx vitest run test/unit/server/errors.test.ts` writes this page again).',
    '',
    '| code | status | message |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
