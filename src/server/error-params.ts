// The values a refusal's message names, read back from the message by its code's form in the error table
// (errors.ts: '{price} CNY is outside the band ({low}-{high} CNY)'), so a client can put them in a sentence of its
// own language: {code, message, params: {price: '150.00', low: '90.00', high: '110.00'}}. A message that does not
// have its code's form (a sentence made elsewhere, a code outside the table) gets no params, and a client shows the
// message as it is. One pattern per code, made once from its form.
import { ERRORS } from './errors.ts';

interface Pattern {
  readonly re: RegExp;
  readonly names: readonly string[];
}

const BRACE = /\{(\w+)\}/g;

/** A form's pattern: its text literally, each {name} a lazy capture, the whole message matched. */
export function formPattern(form: string): Pattern {
  const names: string[] = [];
  let source = '';
  let at = 0;
  for (const m of form.matchAll(BRACE)) {
    source += `${literal(form.slice(at, m.index))}(.+?)`;
    names.push(m[1]!);
    at = m.index + m[0].length;
  }
  source += literal(form.slice(at));
  return { re: new RegExp(`^${source}$`, 's'), names };
}

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const PATTERNS: ReadonlyMap<string, Pattern> = new Map(
  Object.entries(ERRORS).map(([code, x]) => [code, formPattern(x.message)]),
);

/** The values the message names by its code's form ({} for a form naming none); undefined when it has another form. */
export function errorParams(code: string, message: string): Record<string, string> | undefined {
  const p = PATTERNS.get(code);
  if (p === undefined) return undefined;
  const m = p.re.exec(message);
  if (m === null) return undefined;
  const params: Record<string, string> = {};
  p.names.forEach((name, i) => {
    params[name] = m[i + 1]!;
  });
  return params;
}
